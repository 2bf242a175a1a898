import Foundation

/// An MNIST-family dataset as tensors: `images` [N, 1, 28, 28] float32 in [0, 1] and `labels`
/// [N] int64 (PyTorch's `ToTensor()` output).
///
/// ```swift
/// let data = try MNISTDataset.embedded()                       // bundled 10,000 test digits
/// let train = try MNISTDataset(directory: url, split: .train)  // files from a folder
/// let loader = DataLoader(data.normalized(mean: 0.5, std: 0.5), batchSize: 128)
/// ```
public struct MNISTDataset {
    /// The images, [N, 1, rows, cols], float32.
    public let images: Tensor
    /// The class labels, [N], int64.
    public let labels: Tensor

    /// The number of examples.
    public var count: Int { labels.count }

    /// A dataset from tensors (images [N, ...], labels [N]).
    public init(images: Tensor, labels: Tensor) {
        precondition(images.shape.first == labels.shape.first,
                     "MNISTDataset: \(images.shape.first ?? 0) images but \(labels.shape.first ?? 0) labels")
        self.images = images
        self.labels = labels
    }

    /// Converts raw IDX bytes to tensors scaled to [0, 1].
    public init(raw: MNISTRaw) {
        let n = raw.count, size = raw.rows * raw.cols
        let imgs = Tensor(uninitializedShape: [n, 1, raw.rows, raw.cols], dtype: .float32)
        let p = imgs.basePointer(Float.self)
        raw.images.withUnsafeBufferPointer { src in
            for i in 0..<(n * size) { p[i] = Float(src[i]) / 255 }
        }
        let labs = Tensor(uninitializedShape: [n], dtype: .int64)
        let q = labs.basePointer(Int64.self)
        for i in 0..<n { q[i] = Int64(raw.labels[i]) }
        self.init(images: imgs, labels: labs)
    }

    /// Loads a split of MNIST or Fashion-MNIST from a folder holding the IDX files
    /// (`train-images-idx3-ubyte.gz`, ... or uncompressed).
    /// - Throws: `MNISTError` naming the missing or broken file.
    public init(directory: URL, split: MNISTRaw.Split = .train) throws {
        self.init(raw: try MNISTRaw.load(directory: directory, split: split))
    }

    /// MNIST handwritten digits from a folder (`train-images-idx3-ubyte.gz`, ...).
    public static func mnist(directory: URL, split: MNISTRaw.Split = .train) throws -> MNISTDataset {
        try MNISTDataset(directory: directory, split: split)
    }

    /// Fashion-MNIST from a folder: the same file names and format as MNIST, ten kinds of clothing
    /// (see `fashionClassNames`).
    public static func fashionMNIST(directory: URL, split: MNISTRaw.Split = .train) throws -> MNISTDataset {
        try MNISTDataset(directory: directory, split: split)
    }

    /// The names of Fashion-MNIST's classes 0-9.
    public static let fashionClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The MNIST test split (10,000 digits) bundled with Ember, for training without a download.
    public static func embedded() throws -> MNISTDataset {
        guard let dir = Bundle.module.url(forResource: "mnist", withExtension: nil) else {
            throw MNISTError.directoryNotFound(path: "<Ember bundle>/mnist")
        }
        return try MNISTDataset(directory: dir, split: .test)
    }

    /// Images mapped by (x - mean)/std: `normalized(mean: 0.5, std: 0.5)` gives [-1, 1], the range
    /// of a tanh generator.
    public func normalized(mean: Double, std: Double) -> MNISTDataset {
        MNISTDataset(images: withNoGrad { (images - mean) / std }, labels: labels)
    }

    /// Images flattened to [N, rows·cols], for MLPs.
    public func flattened() -> MNISTDataset {
        MNISTDataset(images: images.reshape([count, -1]), labels: labels)
    }

    /// The first `n` examples.
    public func prefix(_ n: Int) -> MNISTDataset {
        let k = Swift.min(n, count)
        return MNISTDataset(images: images[0..<k].contiguous(), labels: labels[0..<k].contiguous())
    }
}
