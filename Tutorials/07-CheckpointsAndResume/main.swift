// Tutorial 07: checkpoints every N steps, and --resume continuing exactly where a run stopped.
// Run it with: swift run -c release CheckpointsAndResume --stop-at 1300     (stops like a crash)
//              swift run -c release CheckpointsAndResume --resume runs/CheckpointsAndResume/<run>/checkpoints
import Ember
import Foundation
import TutorialSupport

let tutorial = "CheckpointsAndResume"
let startTime = Date()

// MARK: - 1. Flags

let options = TutorialOptions.parse(
    tutorial: tutorial,
    summary: "a small GAN that saves checkpoints every N steps and resumes exactly",
    defaultSteps: 2000, defaultBatchSize: 64,
    extraFlags: [
        .init("checkpoint-every", help: "steps between checkpoints (default 500)"),
        .init("keep-last", help: "checkpoints kept; older ones are deleted (default 3)"),
        .init("stop-at", help: "stop abruptly after this step, as if the machine went down (no final checkpoint)"),
        .init("print-every", help: "steps between printed loss lines (default 100)"),
        .init("forget", help: "on --resume, do not restore this object: rng, data or optimizers (to see the run diverge)"),
        .init("score-samples", help: "samples the digit classifier scores at the end (default 1000; 0 skips scoring)"),
    ])
let checkpointEvery = options.checkedInt("checkpoint-every", 500, minimum: 1, tutorial: tutorial)
let keepLast = options.checkedInt("keep-last", 3, minimum: 1, tutorial: tutorial)
let stopAt = options.extra["stop-at"] == nil ? nil : options.checkedInt("stop-at", 0, minimum: 1, tutorial: tutorial)
let printEvery = options.checkedInt("print-every", 100, minimum: 1, tutorial: tutorial)
let forget = options.extra["forget"] == nil ? nil : options.choice("forget", ["rng", "data", "optimizers"], "", tutorial: tutorial)
let scoreCount = options.checkedInt("score-samples", 1000, minimum: 0, tutorial: tutorial)
let resumeURL = options.resume.map { resolveCheckpoint($0, tutorial: tutorial) }
let outDirectory = runDirectory(options, resumingFrom: resumeURL)
manualSeed(options.seed)

// MARK: - 2. Data, a small GAN, optimizers

let data = loadTrainingData(options, tutorial: tutorial).normalized(mean: 0.5, std: 0.5)
let batchSize = options.batchSize
guard batchSize <= data.count else {
    TutorialOptions.exitWithUsageError(tutorial, "--batch-size \(batchSize) is larger than the \(data.count) training images")
}
// The loader shuffles with its own generator: its order and position are part of the state.
let dataGenerator = Ember.Generator(seed: options.seed &+ 1)
let loader = DataLoader(data, batchSize: batchSize, shuffle: true, generator: dataGenerator)
let totalSteps = options.epochs.map { $0 * loader.batchesPerEpoch } ?? options.steps

let latent = 32
// BatchNorm's running statistics (buffers) and dropout's random masks are part of the state too.
let g = Sequential {
    Linear(latent, 128); BatchNorm1D(128); LeakyReLU(0.2)
    Linear(128, 784); Tanh()
}
let d = Sequential {
    Linear(784, 128); LeakyReLU(0.2); Dropout(0.3)
    Linear(128, 1)                     // a logit: the loss is BCE with logits
}
// Adam keeps two running averages per parameter and a step count: without them a resumed run
// would restart with cold moment estimates and a bias correction for step 1.
let optG = Adam(g.parameters(), lr: 1e-3, betas: (0.5, 0.999))
let optD = Adam(d.parameters(), lr: 1e-3, betas: (0.5, 0.999))
let ones = Tensor.ones([batchSize, 1]), zeros = Tensor.zeros([batchSize, 1])

/// One GAN step; returns (d_loss, g_loss).
@MainActor func trainStep() -> (Float, Float) {
    let real = loader.nextBatch().images.reshape([-1, 784])
    let fake = g(Tensor.randn([batchSize, latent]))   // draws from the default generator
    optD.zeroGrad()
    let dLoss = binaryCrossEntropyWithLogits(d(real), ones) + binaryCrossEntropyWithLogits(d(fake.detach()), zeros)
    dLoss.backward()
    optD.step()
    optG.zeroGrad()
    let gLoss = binaryCrossEntropyWithLogits(d(fake), ones)
    gLoss.backward()
    optG.step()
    return (dLoss.item(), gLoss.item())
}

// MARK: - 3. What a checkpoint holds

// Every object whose state changes during training, under a name that prefixes its tensors
// in the file ("generator.0.weight", "optimizer_g.state.0.exp_avg", ...).
var checkpointObjects: [String: Checkpointable] = [
    "generator": g, "discriminator": d,                  // weights and BatchNorm statistics
    "optimizer_g": optG, "optimizer_d": optD,            // Adam's moments, step counts, hyper-parameters
    "rng": Ember.Generator.default,                      // noise z and dropout masks
    "data_loader": loader, "data_rng": dataGenerator,    // this epoch's order, the position in it, the next orders
]

// MARK: - 4. Resume

var completedSteps = 0
if let resumeURL {
    var restore = checkpointObjects
    switch forget {
    case "rng": restore["rng"] = nil
    case "data": restore["data_loader"] = nil; restore["data_rng"] = nil
    case "optimizers": restore["optimizer_g"] = nil; restore["optimizer_d"] = nil
    default: break
    }
    do {
        // strict: every object must be in the file and every tensor must fit, or nothing changes.
        // With --forget the file holds an object we leave out, so the check is relaxed.
        let info = try Checkpoint.load(from: resumeURL, into: restore, strict: forget == nil)
        completedSteps = info.counters["step"] ?? 0
    } catch {
        TutorialOptions.exitWithUsageError(tutorial, "cannot resume from \(resumeURL.path): \(error)")
    }
    print("Resumed from \(resumeURL.path) at step \(completedSteps)" + (forget.map { " (not restoring: \($0))" } ?? ""))
    describeCheckpoint(resumeURL)
}

/// Prints what is inside a checkpoint file: each object and its tensors.
func describeCheckpoint(_ url: URL) {
    guard let archive = try? SafeTensorsFile.read(from: url) else { return }
    var byObject: [String: [String]] = [:]
    for entry in archive.entries {
        let object = String(entry.name.prefix { $0 != "." })
        byObject[object, default: []].append("\(entry.name.dropFirst(object.count + 1)) \(entry.shape)")
    }
    for (object, tensors) in byObject.sorted(by: { $0.key < $1.key }) {
        let shown = tensors.sorted().prefix(4).joined(separator: ", ")
        print("  \(object): \(tensors.count) tensor\(tensors.count == 1 ? "" : "s") (\(shown)\(tensors.count > 4 ? ", ..." : ""))")
    }
    let counters = archive.metadata.filter { $0.key.hasPrefix("counter.") }.map { "\($0.key.dropFirst(8)) = \($0.value)" }
    print("  counters: \(counters.sorted().joined(separator: ", "))")
}

// MARK: - 5. Train, saving every N steps

let log: RunLog
do {
    log = try RunLog(directory: outDirectory, total: totalSteps, description: "GAN",
                     resumingAt: resumeURL == nil ? nil : completedSteps)
} catch {
    TutorialOptions.exitWithUsageError(tutorial, "cannot write to \(outDirectory.path): \(error)")
}
let checkpointDirectory = outDirectory.appendingPathComponent("checkpoints")
print("Writing to \(outDirectory.path)")
let fixedNoise = Tensor.randn([64, latent], generator: Ember.Generator(seed: options.seed &+ 2))

@MainActor func generate(_ z: Tensor) -> Tensor {
    g.eval()
    defer { g.train() }
    return withNoGrad { g(z).reshape([-1, 1, 28, 28]) }
}

var stoppedEarly = false
if completedSteps < totalSteps {
    for step in (completedSteps + 1)...totalSteps {
        let (dLoss, gLoss) = trainStep()
        log.log(step: step, [("d_loss", Double(dLoss)), ("g_loss", Double(gLoss))])
        if step % printEvery == 0 {
            // Nine significant digits print a Float exactly: equal lines mean equal bits.
            log.message(String(format: "step %5d  d_loss %.9g  g_loss %.9g", step, dLoss, gLoss))
        }
        if step % checkpointEvery == 0 || step == totalSteps {
            do {
                let url = try Checkpoint.save(inDirectory: checkpointDirectory, step: step, keepLast: keepLast,
                                              objects: checkpointObjects, metadata: ["tutorial": tutorial])
                log.message("saved \(url.lastPathComponent)")
            } catch {
                log.message("warning: could not save a checkpoint: \(error)")
            }
        }
        if step == stopAt {
            stoppedEarly = true
            break
        }
    }
}
log.saveSamples(generate(fixedNoise), name: stoppedEarly ? "stopped" : "final", step: completedSteps)
log.finish(title: "GAN losses")

if stoppedEarly {
    // Nothing below runs after a crash; --resume with the checkpoint folder picks the newest file.
    print("Stopped after step \(stopAt!), as if interrupted. Continue with:")
    print("  \(CommandLine.arguments[0]) --resume \(checkpointDirectory.path) --steps \(totalSteps)")
    exit(0)
}

// MARK: - 6. A fingerprint of the final state

/// FNV-1a over the bits of every tensor of the networks and optimizers: two runs print the same
/// fingerprint only if they end with bit-identical weights, statistics and moment estimates.
func fingerprint(_ objects: [Checkpointable]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for object in objects {
        for (_, tensor) in object.checkpointPayload().tensors.sorted(by: { $0.0 < $1.0 }) {
            for value in tensor.toDoubleArray() {
                var bits = value.bitPattern
                for _ in 0..<8 { hash = (hash ^ (bits & 0xff)) &* 0x100_0000_01b3; bits >>= 8 }
            }
        }
    }
    return String(format: "%016llx", hash)
}
print("Final state fingerprint: \(fingerprint([g, d, optG, optD]))")

if scoreCount > 0 {
    let score = scoreSamples(count: scoreCount, classifier: loadOrTrainClassifier()) { n in generate(Tensor.randn([n, latent])) }
    print("Sample score: \(score)")
}
print(String(format: "Wall time: %.1f s", Date().timeIntervalSince(startTime)))
