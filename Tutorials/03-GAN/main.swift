// Tutorial 03: the MLP GAN of the PyTorch and Keras MNIST tutorials.
// Run it with: swift run -c release GAN                      (the Keras tutorial's networks and step)
//              swift run -c release GAN --variant pytorch    (the PyTorch tutorial's)
// The networks are in Models.swift.
import Ember
import Foundation
import TutorialSupport

let tutorial = "GAN"
let startTime = Date()

// MARK: - 1. Flags

let options = TutorialOptions.parse(
    tutorial: tutorial,
    summary: "the MLP GAN of the PyTorch and Keras MNIST tutorials",
    defaultSteps: 3000, defaultBatchSize: 64,
    extraFlags: [
        .init("variant", help: "keras (default): the Keras tutorial's networks and step; pytorch: the PyTorch tutorial's"),
        .init("no-detach", help: "train D on G(z) without detach(), as the PyTorch tutorial does (same numbers, slower)", takesValue: false),
        .init("beta1", help: "Adam's beta1 for both networks (default: 0.9 for pytorch, 0.5 for keras, as in the tutorials)"),
        .init("sample-every", help: "steps between sample grids (default 500)"),
        .init("checkpoint-every", help: "steps between checkpoints (default 1000; one is always written at the end)"),
        .init("score-samples", help: "samples the digit classifier scores at the end (default 1000; 0 skips scoring)"),
    ])
let variant = options.choice("variant", ["keras", "pytorch"], "keras", tutorial: tutorial)
let detachFakes = !options.flag("no-detach")
let beta1 = options.checkedBeta("beta1", variant == "pytorch" ? 0.9 : 0.5, tutorial: tutorial)
let sampleEvery = options.checkedInt("sample-every", 500, minimum: 1, tutorial: tutorial)
let checkpointEvery = options.checkedInt("checkpoint-every", 1000, minimum: 1, tutorial: tutorial)
let scoreCount = options.checkedInt("score-samples", 1000, minimum: 0, tutorial: tutorial)
// --resume takes a checkpoint file or a folder of them (the newest is used); without --out a
// resumed run writes into the run folder the checkpoint belongs to.
let resumeURL = options.resume.map { resolveCheckpoint($0, tutorial: tutorial) }
let outDirectory = runDirectory(options, resumingFrom: resumeURL)
manualSeed(options.seed)

// MARK: - 2. Data

// MNIST digits as [N, 1, 28, 28] tensors in [0, 1], mapped to [-1, 1] (the range of tanh).
let data = loadTrainingData(options, tutorial: tutorial).normalized(mean: 0.5, std: 0.5)
let batchSize = options.batchSize
guard batchSize <= data.count else {
    TutorialOptions.exitWithUsageError(tutorial, "--batch-size \(batchSize) is larger than the \(data.count) training images")
}
// Shuffled batches with their own seeded generator; the last incomplete batch is dropped.
let dataGenerator = Ember.Generator(seed: options.seed &+ 1)
let loader = DataLoader(data, batchSize: batchSize, shuffle: true, dropLast: true, generator: dataGenerator)
let totalSteps = options.epochs.map { $0 * loader.batchesPerEpoch } ?? options.steps
print("\(data.count) training images, \(loader.batchesPerEpoch) batches of \(batchSize) per epoch, \(totalSteps) steps")

// MARK: - 3. The networks

let g: Module = variant == "pytorch" ? MLPGenerator() : kerasGenerator()
let d: Module = variant == "pytorch" ? MLPDiscriminator() : kerasDiscriminator()
print("\nGenerator (\(variant))")
print(g.summary(inputShape: [latentDimension]))
print("\nDiscriminator (\(variant))")
print(d.summary(inputShape: [1, 28, 28]))

// MARK: - 4. Loss and optimizers

// Binary cross-entropy on D's probabilities, with the label 1 for "real" and 0 for "fake".
let realLabels = Tensor.ones([batchSize, 1])
let fakeLabels = Tensor.zeros([batchSize, 1])
// The PyTorch tutorial: Adam(lr 2e-4) with PyTorch's default betas (0.9, 0.999).
// The Keras tutorial: Adam(2e-4, beta_1 0.5), Keras's epsilon 1e-7.
let epsilon = variant == "pytorch" ? 1e-8 : 1e-7
let optG = Adam(g.parameters(), lr: 2e-4, betas: (beta1, 0.999), eps: epsilon)
let optD = Adam(d.parameters(), lr: 2e-4, betas: (beta1, 0.999), eps: epsilon)

@MainActor func noise(_ n: Int) -> Tensor { Noise.normal(batchSize: n, dimension: latentDimension) }

// MARK: - 5. One training step

/// The PyTorch tutorial's step: one D update on a real and a fake batch, then one G update.
@MainActor func pytorchStep() -> [(String, Double)] {
    let real = loader.nextBatch().images

    // D: maximise log D(x) + log(1 - D(G(z))), i.e. minimise BCE(D(x), 1) + BCE(D(G(z)), 0).
    d.zeroGrad()
    let dRealLoss = binaryCrossEntropy(d(real), realLabels)
    let fake = g(noise(batchSize))
    // detach() cuts the graph at G's output: D's backward stops there. Without it (the tutorial's
    // code) backward also runs through G and fills G's gradients, which G's step then discards.
    let dFakeLoss = binaryCrossEntropy(d(detachFakes ? fake.detach() : fake), fakeLabels)
    let dLoss = dRealLoss + dFakeLoss
    dLoss.backward()
    optD.step()

    // G: new noise, and the label "real": minimise BCE(D(G(z)), 1) = -log D(G(z)).
    g.zeroGrad()
    let gLoss = binaryCrossEntropy(d(g(noise(batchSize))), realLabels)
    gLoss.backward()
    optG.step()
    return [("d_loss", Double(dLoss.item())), ("g_loss", Double(gLoss.item()))]
}

/// The Keras tutorial's step: D trained on a real batch, then (a second update) on a fake one;
/// then G trained through the frozen D (Keras's "combined" model).
@MainActor func kerasStep() -> [(String, Double)] {
    // Keras samples a random batch with replacement: np.random.randint(0, N, batch_size).
    let real = loader.randomBatch(size: batchSize).images
    // generator.predict(noise): inference mode (BatchNorm uses its running statistics), no graph.
    g.eval()
    let generated = withNoGrad { g(noise(batchSize)) }
    g.train()

    // discriminator.train_on_batch(imgs, valid), then train_on_batch(gen_imgs, fake).
    optD.zeroGrad()
    let pReal = d(real)
    let dRealLoss = binaryCrossEntropy(pReal, realLabels)
    dRealLoss.backward()
    optD.step()
    optD.zeroGrad()
    let pFake = d(generated)
    let dFakeLoss = binaryCrossEntropy(pFake, fakeLabels)
    dFakeLoss.backward()
    optD.step()

    // combined.train_on_batch(noise, valid) with discriminator.trainable = False: freezing D's
    // parameters (requiresGrad = false) lets gradients flow *through* D to G without computing
    // gradients for D's weights, and optG only holds G's parameters.
    d.freeze()
    optG.zeroGrad()
    let gLoss = binaryCrossEntropy(d(g(noise(batchSize))), realLabels)
    gLoss.backward()
    optG.step()
    d.unfreeze()

    // Keras's accuracy metric: a probability above 0.5 counts as "real".
    let correct = pReal.toArray().filter { $0 > 0.5 }.count + pFake.toArray().filter { $0 <= 0.5 }.count
    return [("d_loss", Double(dRealLoss.item() + dFakeLoss.item()) / 2),
            ("d_accuracy", Double(correct) / Double(2 * batchSize)),
            ("g_loss", Double(gLoss.item()))]
}

// MARK: - 6. Checkpoints and --resume

// Everything a resumed run needs to continue exactly: both networks (BatchNorm statistics
// included), both optimizers' moment estimates, the random generators (noise and dropout draw
// from the default one) and the data loader's position.
let checkpointObjects: [String: Checkpointable] = [
    "generator": g, "discriminator": d, "optimizer_g": optG, "optimizer_d": optD,
    "rng": Ember.Generator.default, "data_loader": loader, "data_rng": dataGenerator,
]
let checkpointDirectory = outDirectory.appendingPathComponent("checkpoints")
var completedSteps = 0
if let resumeURL {
    do {
        // All or nothing: if any tensor does not fit (say, a checkpoint of the other variant),
        // the error lists every problem and no object is changed.
        completedSteps = try Checkpoint.load(from: resumeURL, into: checkpointObjects).counters["step"] ?? 0
    } catch {
        TutorialOptions.exitWithUsageError(tutorial, "cannot resume from \(resumeURL.path): \(error)")
    }
    print("\nResumed from \(resumeURL.path) at step \(completedSteps)")
}

// MARK: - 7. Train

/// Images from G in inference mode, as [N, 1, 28, 28] in [-1, 1].
@MainActor func generate(_ z: Tensor) -> Tensor {
    g.eval()
    defer { g.train() }
    return withNoGrad { g(z).reshape([-1, 1, 28, 28]) }
}

// The same 64 noise vectors for every sample grid, so the grids show how G changes.
let fixedNoise = Tensor.randn([64, latentDimension], generator: Ember.Generator(seed: options.seed &+ 2))
let log: RunLog
do {
    log = try RunLog(directory: outDirectory, total: totalSteps, description: "GAN (\(variant))",
                     resumingAt: resumeURL == nil ? nil : completedSteps)
} catch {
    TutorialOptions.exitWithUsageError(tutorial, "cannot write to \(outDirectory.path): \(error)")
}
print("\nWriting to \(outDirectory.path)")
@MainActor func saveCheckpoint(step: Int) {
    do {
        try Checkpoint.save(inDirectory: checkpointDirectory, step: step, keepLast: 2, objects: checkpointObjects,
                            metadata: ["tutorial": tutorial, "variant": variant])
    } catch {
        log.message("warning: could not save a checkpoint: \(error)")
    }
}

let trainStart = Date()
let firstStep = completedSteps + 1
if firstStep <= totalSteps {
    for step in firstStep...totalSteps {
        let losses = variant == "pytorch" ? pytorchStep() : kerasStep()
        log.log(step: step, losses)
        if step % sampleEvery == 0 {
            let url = log.saveSamples(generate(fixedNoise), name: String(format: "step-%06d", step), step: step)
            log.message("step \(step): " + losses.map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
                        + " → \(url.lastPathComponent)")
        }
        if step % checkpointEvery == 0 || step == totalSteps { saveCheckpoint(step: step) }
    }
}
let trainSeconds = Date().timeIntervalSince(trainStart)
log.saveSamples(generate(fixedNoise), name: "final", step: totalSteps)
log.finish(title: "GAN (\(variant)) losses")
let trainedSteps = max(totalSteps - completedSteps, 0)
print(String(format: "Trained %d steps in %.1f s (%.3f s/step)", trainedSteps, trainSeconds,
             trainSeconds / Double(max(trainedSteps, 1))))
print("Samples: \(outDirectory.appendingPathComponent("samples").path), "
      + "loss curve: \(outDirectory.appendingPathComponent("loss_curve.png").path), "
      + "checkpoints: \(checkpointDirectory.path)")

// MARK: - 8. How good are the digits?

if scoreCount > 0 {
    let classifier = loadOrTrainClassifier()
    let score = scoreSamples(count: scoreCount, classifier: classifier) { n in generate(noise(n)) }
    print("Sample score: \(score)")
}
print(String(format: "Wall time: %.1f s", Date().timeIntervalSince(startTime)))
