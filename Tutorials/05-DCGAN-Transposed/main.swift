// Tutorial 05: a DCGAN whose generator uses transposed convolutions (the PaddlePaddle static-graph DCGAN).
// Run it with: swift run -c release DCGANTransposed        (add --help for the flags)
import Ember
import Foundation
import TutorialSupport

let tutorial = "DCGANTransposed"
let started = Date()

// MARK: 1. Options and data

let options = TutorialOptions.parse(
    tutorial: tutorial,
    summary: "DCGAN with a transposed-convolution generator on MNIST (the PaddlePaddle static-graph DCGAN)",
    defaultSteps: 600, defaultBatchSize: 64,
    extraFlags: [
        .init("sigmoid-quirk", help: "as in the seed: D ends in a sigmoid and BCE-with-logits treats that probability as a logit", takesValue: false),
        .init("lr", help: "Adam learning rate of all three optimizers (default 2e-4)"),
        .init("beta1", help: "Adam beta1 of all three optimizers (default 0.5, the DCGAN paper's value; the seed keeps 0.9)"),
        .init("sample-every", help: "steps between sample grids (default 50; 0: only at the end)"),
        .init("save-every", help: "steps between checkpoints (default 100; 0: only at the end)"),
        .init("score-samples", help: "samples the digit classifier scores at the end (default 1000; 0 skips)"),
    ])
let sigmoidQuirk = options.flag("sigmoid-quirk")
let learningRate = options.checkedPositiveDouble("lr", 2e-4, tutorial: tutorial)
let beta1 = options.checkedBeta("beta1", 0.5, tutorial: tutorial)
let sampleEvery = options.checkedInt("sample-every", 50, tutorial: tutorial)
let saveEvery = options.checkedInt("save-every", 100, tutorial: tutorial)
let scoreCount = options.checkedInt("score-samples", 1000, tutorial: tutorial)

manualSeed(options.seed)                         // weights and noise
let data = loadTrainingData(options, tutorial: tutorial).normalized(mean: 0.5, std: 0.5)   // pixels in [-1, 1]
let batchSize = options.batchSize
if batchSize > data.count { exitWithUsageError("--batch-size \(batchSize) exceeds the \(data.count) training images", tutorial: tutorial) }
let loaderRandom = Generator(seed: options.seed &+ 1)
let loader = DataLoader(data, batchSize: batchSize, shuffle: true, dropLast: true, generator: loaderRandom)
let totalSteps = options.totalSteps(batchesPerEpoch: loader.batchesPerEpoch)
print("\(data.count) images, batch \(batchSize): \(loader.batchesPerEpoch) batches per epoch, \(totalSteps) steps")

// MARK: 2. The networks and the three "programs"

let g = TransposedGenerator()
let d = PoolDiscriminator(sigmoidOutput: sigmoidQuirk)
print("generator: \(g.parameters().reduce(0) { $0 + $1.count }) parameters, discriminator: \(d.parameters().reduce(0) { $0 + $1.count })")

// The seed builds three programs, each with its own Adam optimizer over its own parameter list.
let dFakeOptimizer = Adam(d.parameters(), lr: learningRate, betas: (beta1, 0.999))
let dRealOptimizer = Adam(d.parameters(), lr: learningRate, betas: (beta1, 0.999))
let gOptimizer = Adam(g.parameters(), lr: learningRate, betas: (beta1, 0.999))

/// The loss of all three programs: sigmoid cross-entropy on logits.
func loss(_ output: Tensor, _ target: Tensor) -> Tensor {
    // With --sigmoid-quirk `output` is already a probability in (0, 1), which this loss then
    // squashes a second time: the seed's mistake, kept on request.
    binaryCrossEntropyWithLogits(output, target)
}

let checkpointObjects: [String: Checkpointable] = [
    "generator": g, "discriminator": d,
    "optimizer_d_fake": dFakeOptimizer, "optimizer_d_real": dRealOptimizer, "optimizer_g": gOptimizer,
    "rng": Generator.default, "loader": loader, "loader_rng": loaderRandom,
]
var firstStep = 1
if let resume = options.resume {
    do {
        let info = try Checkpoint.load(from: resume, into: checkpointObjects)
        if info.metadata["sigmoid_quirk"].map({ $0 == "true" }) != sigmoidQuirk {
            print("note: the checkpoint was trained with\(sigmoidQuirk ? "out" : "") --sigmoid-quirk")
        }
        firstStep = (info.counters["step"] ?? 0) + 1
        print("resumed from \(resume.path) after step \(firstStep - 1)")
    } catch {
        exitWithUsageError("cannot resume from \(resume.path): \(error)", tutorial: tutorial)
    }
}

// MARK: 3. One training step: the three programs in the seed's order

let ones = Tensor.ones([batchSize, 1]), zeros = Tensor.zeros([batchSize, 1])

// (Top-level code runs on the main actor; functions that use its variables are marked @MainActor.)
@MainActor func trainStep(real: Tensor) -> (dFake: Float, dReal: Float, g: Float) {
    // Program 1, "train_d_fake": D learns to call G(z) fake. Only D's parameters are updated, so
    // G runs without recording: nothing needs its gradients.
    d.zeroGrad()
    let fake = withNoGrad { g(Noise.normal(batchSize: batchSize, dimension: latentSize, spatial: true)) }
    let fakeLoss = loss(d(fake), zeros)
    fakeLoss.backward()
    dFakeOptimizer.step()

    // Program 2, "train_d_real": D learns to call real images real.
    d.zeroGrad()
    let realLoss = loss(d(real), ones)
    realLoss.backward()
    dRealOptimizer.step()

    // Program 3, "train_g": G learns to make D call G(z) real, with fresh noise. D's parameters
    // are frozen for this backward (the program's parameter list holds only G's), so the
    // gradient flows through D to G without filling D's gradients.
    g.zeroGrad()
    d.freeze()
    let gLoss = loss(d(g(Noise.normal(batchSize: batchSize, dimension: latentSize, spatial: true))), ones)
    gLoss.backward()
    gOptimizer.step()
    d.unfreeze()
    return (fakeLoss.item(), realLoss.item(), gLoss.item())
}

// MARK: 4. Train

let log: RunLog
do { log = try RunLog(directory: options.outDirectory, total: totalSteps, description: tutorial) } catch {
    exitWithUsageError("cannot write to \(options.outDirectory.path): \(error)", tutorial: tutorial)
}
let checkpointURL = options.outDirectory.appendingPathComponent("checkpoint.safetensors")
// The same 64 noise vectors for every grid (the seed's test_z), drawn by G in evaluation mode
// (the seed's infer_program, cloned with for_test=True).
let fixedNoise = Noise.normal(batchSize: 64, dimension: latentSize, spatial: true, generator: Generator(seed: options.seed &+ 2))

@MainActor @discardableResult func sampleGrid(name: String, step: Int) -> URL {
    g.eval()
    defer { g.train() }
    return log.saveSamples(withNoGrad { g(fixedNoise) }, name: name, step: step)
}

@MainActor func saveCheckpoint(step: Int) {
    log.saveCheckpoint(to: checkpointURL, objects: checkpointObjects, step: step,
                       metadata: ["tutorial": tutorial, "sigmoid_quirk": String(sigmoidQuirk), "batch_size": String(batchSize)])
}

print(sigmoidQuirk ? "loss: BCE-with-logits on D's sigmoid output, as in the seed (--sigmoid-quirk)"
                   : "loss: BCE-with-logits on D's logits (--sigmoid-quirk reproduces the seed's sigmoid + BCE-with-logits)")
if firstStep > totalSteps { print("the checkpoint is already at step \(firstStep - 1) of \(totalSteps): nothing to train") }
for step in firstStep...max(firstStep, totalSteps) where step <= totalSteps {
    let (real, _) = loader.nextBatch()
    let losses = trainStep(real: real)
    log.log(step: step, [("d_fake_loss", Double(losses.dFake)), ("d_real_loss", Double(losses.dReal)), ("g_loss", Double(losses.g))])
    if sampleEvery > 0 && step % sampleEvery == 0 { sampleGrid(name: String(format: "step-%06d", step), step: step) }
    if saveEvery > 0 && step % saveEvery == 0 { saveCheckpoint(step: step) }
}
let lastStep = max(totalSteps, firstStep - 1)
saveCheckpoint(step: lastStep)
let finalGrid = sampleGrid(name: "final", step: lastStep)
log.finish(title: "DCGAN (transposed convolutions) losses")
let trainingTime = Date().timeIntervalSince(started)

// MARK: 5. Look at the results

print("samples:     \(finalGrid.path)")
log.printFiles(checkpoint: checkpointURL)
print("trained in \(formatDuration(trainingTime))")
if scoreCount > 0 {
    let classifier = loadOrTrainClassifier()
    let scoreNoise = Generator(seed: options.seed &+ 3)
    g.eval()
    let score = scoreSamples(count: scoreCount, classifier: classifier) { n in
        g(Noise.normal(batchSize: n, dimension: latentSize, spatial: true, generator: scoreNoise))
    }
    print("sample score: \(score)")
}
print("total wall time \(formatDuration(Date().timeIntervalSince(started)))")
