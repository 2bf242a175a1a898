// Tutorial 04: a DCGAN whose generator upsamples and convolves (the PaddlePaddle dygraph DCGAN).
// Run it with: swift run -c release DCGAN        (add --help for the flags)
import Ember
import Foundation
import TutorialSupport

let tutorial = "DCGAN"
let started = Date()

// MARK: 1. Options and data

let options = TutorialOptions.parse(
    tutorial: tutorial,
    summary: "DCGAN with an upsample + convolution generator on MNIST (the PaddlePaddle dygraph DCGAN)",
    defaultSteps: 300, defaultBatchSize: 64,
    extraFlags: [
        .init("detach", help: "the usual practice: D's fake update sees G(z).detach(); gradients cleared before each update", takesValue: false),
        .init("lr", help: "Adam learning rate of all three optimizers (default 2e-4)"),
        .init("beta1", help: "Adam beta1 of all three optimizers (default 0.5, the DCGAN paper's value; the seed keeps 0.9)"),
        .init("sample-every", help: "steps between sample grids (default 50; 0: only at the end)"),
        .init("save-every", help: "steps between checkpoints (default 100; 0: only at the end)"),
        .init("score-samples", help: "samples the digit classifier scores at the end (default 1000; 0 skips)"),
    ])
let detach = options.flag("detach")
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

// MARK: 2. The networks and their optimizers

let d = Discriminator()
let g = UpsampleGenerator()
// The seed relies on PaddlePaddle's default initialisation, not PyTorch's (see the README).
paddleInitialization(d)
paddleInitialization(g)
print("discriminator: \(d.parameters().reduce(0) { $0 + $1.count }) parameters, generator: \(g.parameters().reduce(0) { $0 + $1.count })")

// Three Adam optimizers, as in the seed: two over D's parameters (one for real batches, one for
// fake batches, each with its own moment estimates) and one over G's.
let dRealOptimizer = Adam(d.parameters(), lr: learningRate, betas: (beta1, 0.999))
let dFakeOptimizer = Adam(d.parameters(), lr: learningRate, betas: (beta1, 0.999))
let gOptimizer = Adam(g.parameters(), lr: learningRate, betas: (beta1, 0.999))

// Everything a resumed run needs to continue exactly where this one stopped.
let checkpointObjects: [String: Checkpointable] = [
    "generator": g, "discriminator": d,
    "optimizer_d_real": dRealOptimizer, "optimizer_d_fake": dFakeOptimizer, "optimizer_g": gOptimizer,
    "rng": Generator.default, "loader": loader, "loader_rng": loaderRandom,
]
var firstStep = 1
if let resume = options.resume {
    do {
        let info = try Checkpoint.load(from: resume, into: checkpointObjects)
        firstStep = (info.counters["step"] ?? 0) + 1
        print("resumed from \(resume.path) after step \(firstStep - 1)")
    } catch {
        exitWithUsageError("cannot resume from \(resume.path): \(error)", tutorial: tutorial)
    }
}

// MARK: 3. One training step

let ones = Tensor.ones([batchSize, 1]), zeros = Tensor.zeros([batchSize, 1])

/// D learns "real" on a real batch, then "fake" on G(z); then G learns to make D say "real".
/// Gradients are cleared where the seed clears them: D's after each of D's updates, G's after
/// G's update. `--detach` switches to the usual practice (see the README).
// (Top-level code runs on the main actor; functions that use its variables are marked @MainActor.)
@MainActor func trainStep(real: Tensor) -> (dReal: Float, dFake: Float, g: Float) {
    // (a) D on real images, label 1.
    if detach { d.zeroGrad() }   // the seed keeps what G's update (c) of the last step left in D's gradients
    let realLoss = binaryCrossEntropyWithLogits(d(real), ones)
    realLoss.backward()
    dRealOptimizer.step()
    d.zeroGrad()

    // (b) D on generated images, label 0.
    let z = Noise.normal(batchSize: batchSize, dimension: latentSize, spatial: true)
    let fake = g(z)
    // The seed gives D the generated images themselves, so this backward runs on through G and
    // leaves gradients in G's parameters. fake.detach() stops it at the images.
    let fakeLoss = binaryCrossEntropyWithLogits(d(detach ? fake.detach() : fake), zeros)
    fakeLoss.backward()
    dFakeOptimizer.step()
    d.zeroGrad()

    // (c) G: make D call G(z) real, with the same z.
    if detach { g.zeroGrad() }   // the seed does not: G's step also applies the gradient (b) left
    let gLoss = binaryCrossEntropyWithLogits(d(g(z)), ones)
    gLoss.backward()             // also fills D's gradients, which the seed does not clear
    gOptimizer.step()
    g.zeroGrad()
    return (realLoss.item(), fakeLoss.item(), gLoss.item())
}

// MARK: 4. Train

let log: RunLog
do { log = try RunLog(directory: options.outDirectory, total: totalSteps, description: tutorial) } catch {
    exitWithUsageError("cannot write to \(options.outDirectory.path): \(error)", tutorial: tutorial)
}
let checkpointURL = options.outDirectory.appendingPathComponent("checkpoint.safetensors")
// The same 64 noise vectors for every sample grid, so the grids show how G's drawing evolves.
let fixedNoise = Noise.normal(batchSize: 64, dimension: latentSize, spatial: true, generator: Generator(seed: options.seed &+ 2))

@MainActor @discardableResult func sampleGrid(name: String, step: Int) -> URL {
    g.eval()                                      // batch norm uses its running statistics
    defer { g.train() }
    return log.saveSamples(withNoGrad { g(fixedNoise) }, name: name, step: step)
}

@MainActor func saveCheckpoint(step: Int) {
    log.saveCheckpoint(to: checkpointURL, objects: checkpointObjects, step: step,
                       metadata: ["tutorial": tutorial, "detach": String(detach), "batch_size": String(batchSize)])
}

print(detach ? "updates: the usual practice (--detach): G(z) detached for D's fake update, gradients cleared before each update"
             : "updates: as in the seed (D's fake update reaches G, gradients carried over); --detach gives the usual practice")
if firstStep > totalSteps { print("the checkpoint is already at step \(firstStep - 1) of \(totalSteps): nothing to train") }
for step in firstStep...max(firstStep, totalSteps) where step <= totalSteps {
    let (real, _) = loader.nextBatch()
    let losses = trainStep(real: real)
    log.log(step: step, [("d_real_loss", Double(losses.dReal)), ("d_fake_loss", Double(losses.dFake)), ("g_loss", Double(losses.g))])
    if sampleEvery > 0 && step % sampleEvery == 0 { sampleGrid(name: String(format: "step-%06d", step), step: step) }
    if saveEvery > 0 && step % saveEvery == 0 { saveCheckpoint(step: step) }
}
let lastStep = max(totalSteps, firstStep - 1)
saveCheckpoint(step: lastStep)
let finalGrid = sampleGrid(name: "final", step: lastStep)
log.finish(title: "DCGAN losses")
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
