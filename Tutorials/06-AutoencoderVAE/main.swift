// Tutorial 06: an autoencoder squeezes each 784-pixel digit through a code of 3 numbers and
// back; a variational autoencoder (VAE) also makes its codes follow a standard normal
// distribution, so that any code drawn from that distribution decodes to a plausible digit.
// Both write reconstructions, a scatter plot of their codes coloured by digit, logs and
// resumable checkpoints; the VAE also draws brand-new digits.
//
//   swift run -c release AutoencoderVAE
import Ember
import Foundation
import TutorialSupport

// MARK: - 1. Flags

let tutorial = "autoencoder"
let options = TutorialOptions.parse(
    tutorial: tutorial,
    summary: "an autoencoder 784-128-64-12-3 and a VAE on MNIST, with reconstructions, samples and code scatter plots",
    defaultSteps: 2000, defaultBatchSize: 128,
    extraFlags: [
        .init("latent", help: "size of the VAE's code (default 2, which can be drawn as it is)"),
        .init("lr", help: "Adam's learning rate for both networks (default 0.001)"),
        .init("test-size", help: "images held out for the pictures and the test loss (default 2000)"),
    ])

/// Prints `message` on its own line, even while the progress bar is being redrawn in place.
func say(_ message: String) {
    if isatty(1) == 1 { print("\r\u{1B}[2K", terminator: "") }
    print(message)
}

/// Stops with exit code 2 (bad input), like `TutorialOptions.parse` does for a bad flag.
func stop(_ message: String) -> Never {
    FileHandle.standardError.write("\(tutorial): \(message)\n".data(using: .utf8)!)
    exit(2)
}

let latentSize = options.int("latent", 2)
let learningRate = options.double("lr", 1e-3)
let testSize = options.int("test-size", 2000)
guard latentSize > 0, learningRate > 0, testSize > 0 else { stop("--latent, --lr and --test-size must be positive") }
manualSeed(options.seed)

// MARK: - 2. Data

// Pixels stay in [0, 1] (no normalisation): the decoders end in a sigmoid. Each 28 x 28 image is
// flattened to a row of 784 numbers for the fully connected networks. The last `testSize`
// images are held out: they are never trained on and are the ones in every picture.
let all = loadTrainingData(options, tutorial: tutorial)   // bundled MNIST test split unless --data
let held = min(testSize, all.count / 2)
let train = all.prefix(all.count - held).flattened()
let test = MNISTDataset(images: all.images[(all.count - held)..<all.count].reshape([held, 784]).contiguous(),
                        labels: all.labels[(all.count - held)..<all.count].contiguous())
// Each network gets its own loader, so that each sees whole epochs in its own shuffled order.
let aeLoader = DataLoader(train, batchSize: options.batchSize, shuffle: true, dropLast: true,
                          generator: Generator(seed: options.seed &+ 1))
let vaeLoader = DataLoader(train, batchSize: options.batchSize, shuffle: true, dropLast: true,
                           generator: Generator(seed: options.seed &+ 2))
let batchesPerEpoch = aeLoader.batchesPerEpoch
guard batchesPerEpoch > 0 else { stop("--batch-size \(options.batchSize) is larger than the \(train.count) training images") }
// `--steps N` or `--epochs N` is the training length of each of the two networks.
let stepsPerNetwork = options.epochs.map { $0 * batchesPerEpoch } ?? options.steps
print("\(train.count) training images, \(test.count) held out; \(stepsPerNetwork) steps of \(options.batchSize) images per network")

// MARK: - 3. The networks

// The autoencoder: 784 → 128 → 64 → 12 → 3 and back, ReLU between layers. The 3-number code
// is all the decoder gets to see of the picture.
let encoder = Sequential {
    Linear(784, 128); ReLU()
    Linear(128, 64); ReLU()
    Linear(64, 12); ReLU()
    Linear(12, 3)
}
let decoder = Sequential {
    Linear(3, 12); ReLU()
    Linear(12, 64); ReLU()
    Linear(64, 128); ReLU()
    Linear(128, 784); Sigmoid()
}

/// The variational autoencoder: the encoder gives, for each image, the mean and the log-variance
/// of a normal distribution over codes instead of a single code.
final class VAE: Module {
    let hidden: Linear, mean: Linear, logVariance: Linear
    let decoderHidden: Linear, decoderOut: Linear

    init(latent: Int) {
        hidden = Linear(784, 400)
        mean = Linear(400, latent)
        logVariance = Linear(400, latent)
        decoderHidden = Linear(latent, 400)
        decoderOut = Linear(400, 784)
        super.init()
    }

    /// The mean and log-variance of each image's code distribution.
    func encode(_ x: Tensor) -> (mean: Tensor, logVariance: Tensor) {
        let h = hidden(x).relu()
        return (mean(h), logVariance(h))
    }

    /// The reparameterisation trick: z = μ + σ·ε with ε ~ N(0, I). The randomness sits in ε, so
    /// gradients flow through μ and σ to the encoder.
    func sample(mean: Tensor, logVariance: Tensor) -> Tensor {
        let eps = Tensor.randn(mean.shape)
        return mean + (logVariance * 0.5).exp() * eps
    }

    /// Pixel logits for codes z (the sigmoid is inside the loss, for numerical stability).
    func decode(_ z: Tensor) -> Tensor {
        decoderOut(decoderHidden(z).relu())
    }

    /// Reconstructions in [0, 1] from the mean codes (no sampling): what `eval` pictures show.
    override func forward(_ x: Tensor) -> Tensor {
        decode(encode(x).mean).sigmoid()
    }
}

let vae = VAE(latent: latentSize)
let aeOptimizer = Adam(encoder.parameters() + decoder.parameters(), lr: learningRate)
let vaeOptimizer = Adam(vae.parameters(), lr: learningRate)

/// The VAE's loss for a batch, per image: how badly the pixels are reconstructed (binary cross
/// entropy, summed over the 784 pixels) plus how far each code distribution N(μ, σ²) is from
/// N(0, I) (the Kullback-Leibler divergence, −½ Σ (1 + log σ² − μ² − σ²)).
@MainActor func vaeLoss(_ x: Tensor) -> (total: Tensor, reconstruction: Tensor, kl: Tensor) {
    let (mean, logVariance) = vae.encode(x)
    let z = vae.sample(mean: mean, logVariance: logVariance)
    let n = Double(x.shape[0])
    let reconstruction = binaryCrossEntropyWithLogits(vae.decode(z), x, reduction: .sum) / n
    let kl = (1 + logVariance - mean.square() - logVariance.exp()).sum() * (-0.5 / n)
    return (reconstruction + kl, reconstruction, kl)
}

// Everything a resumed run needs: both networks, both optimizers, the data order and the random
// generator, with how far each network got.
let state: [String: Checkpointable] = ["encoder": encoder, "decoder": decoder, "ae_optimizer": aeOptimizer,
                                       "vae": vae, "vae_optimizer": vaeOptimizer, "ae_loader": aeLoader,
                                       "vae_loader": vaeLoader, "rng": Generator.default]
var aeStep = 0, vaeStep = 0
if let resume = options.resume {
    do {
        let counters = try Checkpoint.load(from: resume, into: state).counters
        aeStep = counters["ae_step"] ?? 0
        vaeStep = counters["vae_step"] ?? 0
        print("Resumed from \(resume.path): autoencoder at step \(aeStep), VAE at step \(vaeStep)")
    } catch {
        stop("cannot resume from \(resume.path): \(error)")
    }
}
let checkpoints = options.outDirectory.appendingPathComponent("checkpoints")
@MainActor func saveCheckpoint() throws {
    try Checkpoint.save(inDirectory: checkpoints, step: aeStep + vaeStep, keepLast: 2, objects: state,
                        counters: ["ae_step": aeStep, "vae_step": vaeStep], metadata: ["latent": String(latentSize)])
}

// MARK: - 4. Training

/// Trains one network on batches of `loader`, from step `start` up to `stepsPerNetwork`:
/// `lossStep` does the forward pass, `backward()` and the optimizer step on a batch, and returns
/// the values to log; `reached` records each finished step. At the end of every few epochs
/// (about 8 times in all) and at the end, `evaluate` gives the held-out loss, which is logged
/// and printed, and a checkpoint is saved.
@MainActor func train(_ name: String, loader: DataLoader, log: RunLog, from start: Int, reached: (Int) -> Void,
                      lossStep: (Tensor) -> [(String, Double)], evaluate: () -> Double) throws {
    var step = start
    let logEvery = max(1, min(20, loader.batchesPerEpoch / 5))
    let reportEvery = max(1, stepsPerNetwork / loader.batchesPerEpoch / 8)   // in epochs
    var sums: [(String, Double)] = [], count = 0
    let started = Date()
    while step < stepsPerNetwork {
        let values = lossStep(loader.nextBatch().images)
        step += 1
        reached(step)
        sums = sums.isEmpty ? values : zip(sums, values).map { ($0.0, $0.1 + $1.1) }
        count += 1
        if count == logEvery || step == stepsPerNetwork {
            log.log(step: step, sums.map { ($0.0, $0.1 / Double(count)) })   // averages: a smoother curve
            sums = []; count = 0
        }
        let endOfEpoch = loader.batchIndex == loader.batchesPerEpoch
        if endOfEpoch && (step / loader.batchesPerEpoch) % reportEvery == 0 || step == stepsPerNetwork {
            let testLoss = evaluate()
            log.log(step: step, [("test_loss", testLoss)])
            let epoch = endOfEpoch ? "\(step / loader.batchesPerEpoch)" : String(format: "%.2f", Double(step) / Double(loader.batchesPerEpoch))
            say(String(format: "%@ epoch %@: held-out loss %.4f (%.0f s)", name, epoch, testLoss, Date().timeIntervalSince(started)))
            try saveCheckpoint()
        }
    }
    log.finish(title: "\(name) losses")
}

/// Runs `body` on the held-out images in chunks, without recording, and concatenates the results.
@MainActor func overTest(_ body: (Tensor) -> Tensor) -> Tensor {
    withNoGrad {
        cat(stride(from: 0, to: test.count, by: 500).map { body(test.images[$0..<min($0 + 500, test.count)]) })
    }
}

// The autoencoder learns to give back its input: mean squared error between input and output.
let aeDirectory = options.outDirectory.appendingPathComponent("autoencoder")
if aeStep < stepsPerNetwork {
    let aeLog = try RunLog(directory: aeDirectory, total: stepsPerNetwork, description: "autoencoder")
    try train("autoencoder", loader: aeLoader, log: aeLog, from: aeStep, reached: { aeStep = $0 }, lossStep: { x in
        aeOptimizer.zeroGrad()
        let loss = mseLoss(decoder(encoder(x)), x)
        loss.backward()
        aeOptimizer.step()
        return [("loss", Double(loss.item()))]
    }, evaluate: {
        Double(mseLoss(overTest { decoder(encoder($0)) }, test.images).item())
    })
}

// The VAE: reconstruction plus KL divergence.
let vaeDirectory = options.outDirectory.appendingPathComponent("vae")
if vaeStep < stepsPerNetwork {
    let vaeLog = try RunLog(directory: vaeDirectory, total: stepsPerNetwork, description: "VAE")
    try train("VAE", loader: vaeLoader, log: vaeLog, from: vaeStep, reached: { vaeStep = $0 }, lossStep: { x in
        vaeOptimizer.zeroGrad()
        let (loss, reconstruction, kl) = vaeLoss(x)
        loss.backward()
        vaeOptimizer.step()
        return [("loss", Double(loss.item())), ("reconstruction", Double(reconstruction.item())), ("kl", Double(kl.item()))]
    }, evaluate: {
        // One sampled code per image, as in training.
        withNoGrad { Double(vaeLoss(test.images).total.item()) }
    })
}

// MARK: - 5. Look at the results

let digits = test.labels.toIntArray()
let firstImages = test.images[0..<min(32, test.count)]

/// Rows of 8 originals, each followed by the row of their reconstructions.
@MainActor func originalsAndReconstructions(_ reconstruct: (Tensor) -> Tensor) -> Tensor {
    let recon = withNoGrad { reconstruct(firstImages) }
    let rows = stride(from: 0, to: firstImages.shape[0], by: 8).flatMap { start -> [Tensor] in
        let end = min(start + 8, firstImages.shape[0])
        return [firstImages[start..<end], recon[start..<end]]
    }
    return cat(rows).reshape([-1, 1, 28, 28])
}

/// A scatter plot of two code dimensions of the held-out images, one colour per digit.
@MainActor func codePlot(_ codes: [Float], width: Int, dims: (Int, Int), total: Int, title: String,
              legend: ScatterPlot.LegendPosition) throws -> PixelImage {
    var plot = ScatterPlot(title: title, xLabel: "z\(dims.0 + 1)", yLabel: "z\(dims.1 + 1)", width: width, height: 440)
    plot.markerSize = 3
    plot.opacity = 0.6
    plot.legend = legend
    try plot.add(x: stride(from: dims.0, to: codes.count, by: total).map { codes[$0] },
                 y: stride(from: dims.1, to: codes.count, by: total).map { codes[$0] },
                 labels: digits, names: (0...9).map(String.init))
    return try plot.render()
}

/// Pictures side by side (same height).
func sideBySide(_ images: [PixelImage]) throws -> PixelImage {
    let height = images[0].height, width = images.reduce(0) { $0 + $1.width }
    var pixels = [UInt8](repeating: 255, count: width * height * 3)
    var x0 = 0
    for image in images {
        for y in 0..<image.height {
            let row = image.pixels[(y * image.width * 3)..<((y + 1) * image.width * 3)]
            pixels.replaceSubrange((y * width + x0) * 3..<(y * width + x0 + image.width) * 3, with: row)
        }
        x0 += image.width
    }
    return try PixelImage(width: width, height: height, format: .rgb, pixels: pixels)
}

func savePicture(_ images: Tensor, to url: URL, nrow: Int = 8) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try saveImageGrid(images, to: url, nrow: nrow, range: 0...1)
}

encoder.eval(); decoder.eval(); vae.eval()

// Autoencoder: reconstructions, its 3-D codes seen from three sides, and what its decoder makes
// of random codes.
try savePicture(originalsAndReconstructions { decoder(encoder($0)) },
                to: aeDirectory.appendingPathComponent("samples/reconstructions.png"))
let aeCodes = overTest { encoder($0) }
let aeCodeValues = aeCodes.toArray()
try PNG.write(sideBySide([
    codePlot(aeCodeValues, width: 420, dims: (0, 1), total: 3, title: "autoencoder codes: z1, z2", legend: .hidden),
    codePlot(aeCodeValues, width: 420, dims: (0, 2), total: 3, title: "z1, z3", legend: .hidden),
    codePlot(aeCodeValues, width: 480, dims: (1, 2), total: 3, title: "z2, z3", legend: .right),
]), to: aeDirectory.appendingPathComponent("codes.png"))
// Codes drawn uniformly from the box the held-out codes occupy: which digit a code gives is
// anyone's guess, and codes between the clusters give blends or no digit at all.
let low = aeCodes.min(dim: 0), high = aeCodes.max(dim: 0)
let randomCodes = low + Tensor.rand([64, 3]) * (high - low)
try savePicture(withNoGrad { decoder(randomCodes) }.reshape([64, 1, 28, 28]),
                to: aeDirectory.appendingPathComponent("samples/random-codes.png"))

// VAE: reconstructions, its codes (the means μ), and new digits decoded from codes drawn
// from N(0, I).
try savePicture(originalsAndReconstructions { vae($0) }, to: vaeDirectory.appendingPathComponent("samples/reconstructions.png"))
let vaeCodes = overTest { vae.encode($0).mean }
if latentSize >= 2 {
    try PNG.write(codePlot(vaeCodes.toArray(), width: 500, dims: (0, 1), total: latentSize,
                           title: latentSize == 2 ? "VAE codes (means)" : "VAE codes: first 2 of \(latentSize)", legend: .right),
                  to: vaeDirectory.appendingPathComponent("codes.png"))
}
try savePicture(withNoGrad { vae.decode(Tensor.randn([64, latentSize])).sigmoid() }.reshape([64, 1, 28, 28]),
                to: vaeDirectory.appendingPathComponent("samples/samples.png"))
if latentSize == 2 {
    // With a 2-D code, decode a regular grid of codes over [-2, 2] x [-2, 2]: the map of what
    // the VAE has learned, every point of it a digit (y grows upwards, as in the scatter plot).
    let n = 15
    let axis = Tensor.linspace(-2, 2, count: n).toArray()
    var grid: [Float] = []
    for row in 0..<n { for col in 0..<n { grid += [axis[col], axis[n - 1 - row]] } }
    try savePicture(withNoGrad { vae.decode(Tensor(grid, shape: [n * n, 2])).sigmoid() }.reshape([n * n, 1, 28, 28]),
                    to: vaeDirectory.appendingPathComponent("samples/manifold.png"), nrow: n)
}

let aeTest = Double(mseLoss(overTest { decoder(encoder($0)) }, test.images).item())
let vaeTest = Double(mseLoss(overTest { vae($0) }, test.images).item())
print(String(format: "Held-out reconstruction error (mean squared, per pixel): autoencoder %.4f, VAE %.4f", aeTest, vaeTest))
print("Pictures: \(aeDirectory.path)/{codes.png,samples/} and \(vaeDirectory.path)/{codes.png,samples/}")
print("Logs: losses.csv, loss_curve.png and tensorboard/ in both folders; checkpoints in \(checkpoints.path)")
