// Tutorial 09: a conditional DCGAN. Both networks are told which digit to draw or judge (through
// an Embedding of the label), so at the end you can ask for any digit 0-9.
// Run it with: swift run -c release ConditionalGAN        (add --help for the flags)
import Ember
import Foundation
import TutorialSupport

let tutorial = "ConditionalGAN"
let started = Date()

// MARK: 1. Options and data

let options = TutorialOptions.parse(
    tutorial: tutorial,
    summary: "conditional DCGAN on MNIST: G(z, digit) and D(image, digit), then a grid with one row per digit",
    defaultSteps: 300, defaultBatchSize: 64,
    extraFlags: [
        .init("lr", help: "Adam learning rate (default 2e-4)"),
        .init("beta1", help: "Adam beta1 (default 0.5, the DCGAN paper's value)"),
        .init("sample-every", help: "steps between sample grids (default 50; 0: only at the end)"),
        .init("save-every", help: "steps between checkpoints (default 100; 0: only at the end)"),
        .init("score-samples", help: "samples the digit classifier scores at the end (default 1000; 0 skips)"),
    ])
let learningRate = options.checkedPositiveDouble("lr", 2e-4, tutorial: tutorial)
let beta1 = options.checkedBeta("beta1", 0.5, tutorial: tutorial)
let sampleEvery = options.checkedInt("sample-every", 50, tutorial: tutorial)
let saveEvery = options.checkedInt("save-every", 100, tutorial: tutorial)
let scoreCount = options.checkedInt("score-samples", 1000, tutorial: tutorial)

manualSeed(options.seed)                         // weights, noise and fake labels
let data = loadTrainingData(options, tutorial: tutorial).normalized(mean: 0.5, std: 0.5)   // pixels in [-1, 1]
let batchSize = options.batchSize
if batchSize > data.count { exitWithUsageError("--batch-size \(batchSize) exceeds the \(data.count) training images", tutorial: tutorial) }
let loaderRandom = Generator(seed: options.seed &+ 1)
let loader = DataLoader(data, batchSize: batchSize, shuffle: true, dropLast: true, generator: loaderRandom)
let totalSteps = options.totalSteps(batchesPerEpoch: loader.batchesPerEpoch)
print("\(data.count) images, batch \(batchSize): \(loader.batchesPerEpoch) batches per epoch, \(totalSteps) steps")

// MARK: 2. The networks and their optimizers

let g = ConditionalGenerator()
let d = ConditionalDiscriminator()
print("generator: \(g.parameters().reduce(0) { $0 + $1.count }) parameters, discriminator: \(d.parameters().reduce(0) { $0 + $1.count })")
// One optimizer per network; the embeddings are parameters like any other and learn with them.
let dOptimizer = Adam(d.parameters(), lr: learningRate, betas: (beta1, 0.999))
let gOptimizer = Adam(g.parameters(), lr: learningRate, betas: (beta1, 0.999))

let checkpointObjects: [String: Checkpointable] = [
    "generator": g, "discriminator": d, "optimizer_d": dOptimizer, "optimizer_g": gOptimizer,
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

// (Top-level code runs on the main actor; functions that use its variables are marked @MainActor.)
@MainActor func trainStep(real: Tensor, labels: Tensor) -> (dReal: Float, dFake: Float, g: Float) {
    // G draws a batch of random digits.
    let z = Noise.normal(batchSize: batchSize, dimension: latentSize)
    let fakeLabels = Tensor.randint(high: classCount, [batchSize])
    let fake = g(z, labels: fakeLabels)

    // D: real images with their true labels are "real"; G's images with the labels G was asked
    // for are "fake". fake.detach(): this update is D's alone.
    dOptimizer.zeroGrad()
    let realLoss = binaryCrossEntropyWithLogits(d(real, labels: labels), ones)
    let fakeLoss = binaryCrossEntropyWithLogits(d(fake.detach(), labels: fakeLabels), zeros)
    (realLoss + fakeLoss).backward()
    dOptimizer.step()

    // G: make the updated D call the same images real examples of the requested digits.
    gOptimizer.zeroGrad()
    let gLoss = binaryCrossEntropyWithLogits(d(fake, labels: fakeLabels), ones)
    gLoss.backward()
    gOptimizer.step()
    return (realLoss.item(), fakeLoss.item(), gLoss.item())
}

// MARK: 4. Train

let log: RunLog
do { log = try RunLog(directory: options.outDirectory, total: totalSteps, description: tutorial) } catch {
    exitWithUsageError("cannot write to \(options.outDirectory.path): \(error)", tutorial: tutorial)
}
let checkpointURL = options.outDirectory.appendingPathComponent("checkpoint.safetensors")

// The grid: row r asks for digit r; column c uses the same noise vector in every row, so a
// column shows one "handwriting" across the ten digits.
let gridColumns = 10
let gridNoise = Noise.normal(batchSize: gridColumns, dimension: latentSize, generator: Generator(seed: options.seed &+ 2))
    .unsqueeze(0).expand([classCount, gridColumns, latentSize]).reshape([classCount * gridColumns, latentSize])
let gridLabels = Tensor(indices: (0..<classCount).flatMap { Array(repeating: $0, count: gridColumns) })

@MainActor @discardableResult func sampleGrid(name: String, step: Int) -> URL {
    g.eval()
    defer { g.train() }
    return log.saveSamples(withNoGrad { g(gridNoise, labels: gridLabels) }, name: name, step: step, nrow: gridColumns)
}

@MainActor func saveCheckpoint(step: Int) {
    log.saveCheckpoint(to: checkpointURL, objects: checkpointObjects, step: step,
                       metadata: ["tutorial": tutorial, "batch_size": String(batchSize)])
}

if firstStep > totalSteps { print("the checkpoint is already at step \(firstStep - 1) of \(totalSteps): nothing to train") }
for step in firstStep...max(firstStep, totalSteps) where step <= totalSteps {
    let (real, labels) = loader.nextBatch()
    let losses = trainStep(real: real, labels: labels)
    log.log(step: step, [("d_real_loss", Double(losses.dReal)), ("d_fake_loss", Double(losses.dFake)), ("g_loss", Double(losses.g))])
    if sampleEvery > 0 && step % sampleEvery == 0 { sampleGrid(name: String(format: "step-%06d", step), step: step) }
    if saveEvery > 0 && step % saveEvery == 0 { saveCheckpoint(step: step) }
}
let lastStep = max(totalSteps, firstStep - 1)
saveCheckpoint(step: lastStep)
let finalGrid = sampleGrid(name: "final", step: lastStep)
log.finish(title: "conditional GAN losses")
let trainingTime = Date().timeIntervalSince(started)

// MARK: 5. Look at the results

print("digits 0-9, one row each: \(finalGrid.path)")
log.printFiles(checkpoint: checkpointURL)
print("trained in \(formatDuration(trainingTime))")
if scoreCount > 0 {
    let classifier = loadOrTrainClassifier()
    let scoreRandom = Generator(seed: options.seed &+ 3)
    g.eval()
    // Ask for the digits 0, 1, ..., 9, 0, 1, ... in turn, and check what the classifier sees.
    var requested: [Int] = [], recognised: [Int] = []
    let score = scoreSamples(count: scoreCount, classifier: classifier) { n in
        let labels = (requested.count..<(requested.count + n)).map { $0 % classCount }
        requested += labels
        let images = g(Noise.normal(batchSize: n, dimension: latentSize, generator: scoreRandom), labels: Tensor(indices: labels))
        recognised += classifier(images).argmax(dim: 1).toIntArray()
        return images
    }
    let agreement = zip(requested, recognised).filter { $0 == $1 }.count
    print("sample score: \(score)")
    print(String(format: "conditioning: %.1f%% of the samples are classified as the digit that was asked for",
                 100 * Double(agreement) / Double(max(requested.count, 1))))
}
print("total wall time \(formatDuration(Date().timeIntervalSince(started)))")
