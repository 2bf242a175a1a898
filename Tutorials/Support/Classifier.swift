import Ember
import Foundation

/// The small CNN of tutorial 02, also used by the GAN tutorials to score their samples.
/// Inputs are [N, 1, 28, 28] images normalised to [-1, 1].
public final class DigitClassifier: Module {
    public let conv1 = Conv2D(1, 32, kernelSize: 3, padding: 1), bn1 = BatchNorm2D(32)
    public let conv2 = Conv2D(32, 64, kernelSize: 3, padding: 1), bn2 = BatchNorm2D(64)
    public let fc1 = Linear(64 * 7 * 7, 128), drop = Dropout(0.3), fc2 = Linear(128, 10)

    public override init() { super.init() }

    public override func forward(_ x: Tensor) -> Tensor {
        var y = maxPool2d(bn1(conv1(x)).relu(), kernelSize: [2])   // 28 → 14
        y = maxPool2d(bn2(conv2(y)).relu(), kernelSize: [2])       // 14 → 7
        y = drop(fc1(y.flatten(startDim: 1)).relu())
        return fc2(y)                                              // logits for 10 classes
    }
}

/// Where tutorial 02 saves its MNIST classifier, and where the GAN tutorials look for it.
public let defaultClassifierPath = URL(fileURLWithPath: "runs/classifier/mnist-classifier.safetensors")

/// How convincing a batch of generated digits is to a classifier.
public struct SampleScore: CustomStringConvertible {
    /// Samples scored.
    public let count: Int
    /// Share of samples classified with probability >= 0.9.
    public let confidentShare: Double
    /// How many of the 10 classes appear among the confident predictions.
    public let classesPresent: Int
    public var description: String {
        String(format: "%d samples: %.1f%% classified with confidence >= 0.9, %d of 10 digit classes present",
               count, confidentShare * 100, classesPresent)
    }
}

/// Scores `count` samples drawn by `sample(batchSize)` (images in [-1, 1]).
public func scoreSamples(count: Int = 1000, classifier: DigitClassifier, sample: (Int) -> Tensor) -> SampleScore {
    classifier.eval()
    var confident = 0
    var classes = Set<Int>()
    var done = 0
    while done < count {
        let n = min(250, count - done)
        let images = withNoGrad { sample(n).reshape([n, 1, 28, 28]) }
        let probs = withNoGrad { classifier(images).softmax(dim: 1) }
        let best = probs.max(dim: 1).toArray(), label = probs.argmax(dim: 1).toIntArray()
        for i in 0..<n where best[i] >= 0.9 { confident += 1; classes.insert(label[i]) }
        done += n
    }
    return SampleScore(count: count, confidentShare: Double(confident) / Double(count), classesPresent: classes.count)
}

/// Loads the classifier tutorial 02 saved; if there is none, trains a quick one on the bundled
/// MNIST digits (about two epochs over 10,000 images) and saves it there for next time.
public func loadOrTrainClassifier(at url: URL = defaultClassifierPath) -> DigitClassifier {
    let model = DigitClassifier()
    if FileManager.default.fileExists(atPath: url.path), (try? model.loadSafetensors(from: url)) != nil {
        return model
    }
    print("No classifier at \(url.path) (tutorial 02 writes it); training a quick one on the bundled MNIST digits...")
    guard let data = try? MNISTDataset.embedded().normalized(mean: 0.5, std: 0.5) else { return model }
    let loader = DataLoader(data, batchSize: 100, generator: Generator(seed: 7))
    let optimizer = Adam(model.parameters(), lr: 1e-3)
    model.train()
    for _ in 0..<2 {
        for (x, y) in loader {
            optimizer.zeroGrad()
            crossEntropy(model(x), y).backward()
            optimizer.step()
        }
    }
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try? model.saveSafetensors(to: url)
    return model
}
