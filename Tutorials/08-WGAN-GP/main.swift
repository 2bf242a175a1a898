// Tutorial 08: the MLP GAN trained as a WGAN-GP: a critic without sigmoid, the Wasserstein loss,
// and a gradient penalty computed with a gradient of a gradient.
// Run it with: swift run -c release WGANGP
import Ember
import Foundation
import TutorialSupport

let tutorial = "WGANGP"
let startTime = Date()
let latent = 100

// MARK: - 1. Flags

let options = TutorialOptions.parse(
    tutorial: tutorial,
    summary: "an MLP WGAN-GP on MNIST (Wasserstein loss, gradient penalty, n_critic critic steps per generator step)",
    defaultSteps: 1000, defaultBatchSize: 64,
    extraFlags: [
        .init("n-critic", help: "critic steps per generator step (default 5)"),
        .init("lambda-gp", help: "weight of the gradient penalty (default 10)"),
        .init("sample-every", help: "generator steps between sample grids (default 200)"),
        .init("checkpoint-every", help: "generator steps between checkpoints (default 500; one is always written at the end)"),
        .init("score-samples", help: "samples the digit classifier scores at the end (default 1000; 0 skips scoring)"),
    ])
let nCritic = options.checkedInt("n-critic", 5, minimum: 1, tutorial: tutorial)
let lambdaGP: Double = {
    guard let text = options.extra["lambda-gp"] else { return 10 }
    guard let v = Double(text), v >= 0, v.isFinite else {
        TutorialOptions.exitWithUsageError(tutorial, "invalid value '\(text)' for --lambda-gp (expected a number >= 0)")
    }
    return v
}()
let sampleEvery = options.checkedInt("sample-every", 200, minimum: 1, tutorial: tutorial)
let checkpointEvery = options.checkedInt("checkpoint-every", 500, minimum: 1, tutorial: tutorial)
let scoreCount = options.checkedInt("score-samples", 1000, minimum: 0, tutorial: tutorial)
let resumeURL = options.resume.map { resolveCheckpoint($0, tutorial: tutorial) }
let outDirectory = runDirectory(options, resumingFrom: resumeURL)
manualSeed(options.seed)

// MARK: - 2. Data

let data = loadTrainingData(options, tutorial: tutorial).normalized(mean: 0.5, std: 0.5)
let batchSize = options.batchSize
guard batchSize <= data.count else {
    TutorialOptions.exitWithUsageError(tutorial, "--batch-size \(batchSize) is larger than the \(data.count) training images")
}
let dataGenerator = Ember.Generator(seed: options.seed &+ 1)
let loader = DataLoader(data, batchSize: batchSize, shuffle: true, generator: dataGenerator)
// A step is one generator update; each takes nCritic batches for the critic.
let totalSteps = options.epochs.map { max($0 * loader.batchesPerEpoch / nCritic, 1) } ?? options.steps
print("\(data.count) training images, batches of \(batchSize), \(totalSteps) generator steps × \(nCritic) critic steps")

// MARK: - 3. The networks

let g = MLPGenerator()
let critic = Critic()
print("\nGenerator")
print(g.summary(inputShape: [latent]))
print("\nCritic")
print(critic.summary(inputShape: [1, 28, 28]))

// MARK: - 4. Optimizers (the WGAN-GP paper: Adam, lr 1e-4, β1 = 0, β2 = 0.9)

let optG = Adam(g.parameters(), lr: 1e-4, betas: (0.0, 0.9))
let optC = Adam(critic.parameters(), lr: 1e-4, betas: (0.0, 0.9))

@MainActor func noise(_ n: Int) -> Tensor { Noise.normal(batchSize: n, dimension: latent) }

// MARK: - 5. The gradient penalty

/// λ·E[(‖∇x̂ C(x̂)‖₂ − 1)²] at random points x̂ on lines between real and generated images.
///
/// The gradient ∇x̂ C(x̂) is computed with `createGraph: true`, so it is itself part of the graph:
/// the penalty's backward() then differentiates through it (a gradient of a gradient) and
/// reaches the critic's weights.
@MainActor func gradientPenalty(real: Tensor, fake: Tensor) -> Tensor {
    let epsilon = Tensor.rand([real.shape[0], 1])                  // one mixing weight per image
    let xHat = (epsilon * real + (1 - epsilon) * fake).requiringGrad()
    let gradient = gradients(of: critic(xHat).sum(), withRespectTo: [xHat], createGraph: true)[0]!
    let norm = (gradient.square().sum(dim: 1) + 1e-12).sqrt()     // ‖∇‖₂ per image ([B]); 1e-12 keeps sqrt differentiable at 0
    return (norm - 1).square().mean()
}

// MARK: - 6. One training step: nCritic critic updates, then one generator update

@MainActor func trainStep() -> [(String, Double)] {
    var wasserstein: Float = 0, penalty: Float = 0, criticLoss: Float = 0
    for _ in 0..<nCritic {
        let real = loader.nextBatch().images.reshape([-1, 784])
        // The critic's steps do not train G: generate without recording a graph at all.
        let fake = withNoGrad { g(noise(batchSize)) }
        optC.zeroGrad()
        // The critic scores real images high and generated ones low; no sigmoid, no log:
        // C(real) − C(fake) estimates the Wasserstein-1 distance when C is 1-Lipschitz.
        let realScore = critic(real).mean(), fakeScore = critic(fake).mean()
        let gp = gradientPenalty(real: real, fake: fake)
        let loss = fakeScore - realScore + lambdaGP * gp
        loss.backward()
        optC.step()
        wasserstein = realScore.item() - fakeScore.item()
        penalty = gp.item()
        criticLoss = loss.item()
    }
    // G: make the critic score generated images high. As in Keras's combined model, the
    // critic's weights are frozen so that backward() computes no gradients for them.
    critic.freeze()
    optG.zeroGrad()
    let gLoss = -critic(g(noise(batchSize))).mean()
    gLoss.backward()
    optG.step()
    critic.unfreeze()
    return [("critic_loss", Double(criticLoss)), ("wasserstein", Double(wasserstein)),
            ("gradient_penalty", Double(penalty)), ("g_loss", Double(gLoss.item()))]
}

// MARK: - 7. Checkpoints and --resume

let checkpointObjects: [String: Checkpointable] = [
    "generator": g, "critic": critic, "optimizer_g": optG, "optimizer_c": optC,
    "rng": Ember.Generator.default, "data_loader": loader, "data_rng": dataGenerator,
]
var completedSteps = 0
if let resumeURL {
    do {
        completedSteps = try Checkpoint.load(from: resumeURL, into: checkpointObjects).counters["step"] ?? 0
    } catch {
        TutorialOptions.exitWithUsageError(tutorial, "cannot resume from \(resumeURL.path): \(error)")
    }
    print("\nResumed from \(resumeURL.path) at step \(completedSteps)")
}

// MARK: - 8. Train

@MainActor func generate(_ z: Tensor) -> Tensor {
    g.eval()
    defer { g.train() }
    return withNoGrad { g(z).reshape([-1, 1, 28, 28]) }
}

let fixedNoise = Tensor.randn([64, latent], generator: Ember.Generator(seed: options.seed &+ 2))
let log: RunLog
do {
    log = try RunLog(directory: outDirectory, total: totalSteps, description: "WGAN-GP",
                     resumingAt: resumeURL == nil ? nil : completedSteps)
} catch {
    TutorialOptions.exitWithUsageError(tutorial, "cannot write to \(outDirectory.path): \(error)")
}
let checkpointDirectory = outDirectory.appendingPathComponent("checkpoints")
print("\nWriting to \(outDirectory.path)")

let trainStart = Date()
if completedSteps < totalSteps {
    for step in (completedSteps + 1)...totalSteps {
        let values = trainStep()
        log.log(step: step, values)
        if step % sampleEvery == 0 {
            let url = log.saveSamples(generate(fixedNoise), name: String(format: "step-%06d", step), step: step)
            log.message("step \(step): " + values.map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
                        + " → \(url.lastPathComponent)")
        }
        if step % checkpointEvery == 0 || step == totalSteps {
            do {
                try Checkpoint.save(inDirectory: checkpointDirectory, step: step, keepLast: 2, objects: checkpointObjects,
                                    metadata: ["tutorial": tutorial])
            } catch {
                log.message("warning: could not save a checkpoint: \(error)")
            }
        }
    }
}
let trainSeconds = Date().timeIntervalSince(trainStart)
log.saveSamples(generate(fixedNoise), name: "final", step: totalSteps)
log.finish(title: "WGAN-GP")
let trainedSteps = max(totalSteps - completedSteps, 0)
print(String(format: "Trained %d generator steps (%d critic steps) in %.1f s (%.3f s per generator step)",
             trainedSteps, trainedSteps * nCritic, trainSeconds, trainSeconds / Double(max(trainedSteps, 1))))
print("Samples: \(outDirectory.appendingPathComponent("samples").path), "
      + "loss curve: \(outDirectory.appendingPathComponent("loss_curve.png").path), checkpoints: \(checkpointDirectory.path)")

// MARK: - 9. How good are the digits?

if scoreCount > 0 {
    let score = scoreSamples(count: scoreCount, classifier: loadOrTrainClassifier()) { n in generate(noise(n)) }
    print("Sample score: \(score)")
}
print(String(format: "Wall time: %.1f s", Date().timeIntervalSince(startTime)))
