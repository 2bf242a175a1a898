import Foundation

/// Batches of (images, labels) from tensors, optionally shuffled with a seeded generator
/// (PyTorch's `DataLoader`).
///
/// Iterating with `for (images, labels) in loader` yields the rest of the current epoch; the next
/// `for` loop starts a new epoch (with a new order when shuffling). The loader remembers its
/// position and order, and can be saved in a checkpoint, so a resumed run sees exactly the batches
/// an uninterrupted run would have seen.
public final class DataLoader: Sequence {
    /// All inputs, [N, ...].
    public let images: Tensor
    /// All labels, [N].
    public let labels: Tensor
    /// Examples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the examples in a new random order.
    public let shuffle: Bool
    /// Whether a last incomplete batch is dropped (the GAN tutorials drop it).
    public let dropLast: Bool
    /// The generator that draws the orders (the default generator when nil).
    public let generator: Ember.Generator?

    /// The number of completed epochs.
    public private(set) var epoch = 0
    /// The next batch's index within the current epoch.
    public private(set) var batchIndex = 0
    private var order: [Int]?

    /// A loader over a dataset's images and labels.
    public convenience init(_ dataset: MNISTDataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = true,
                            generator: Ember.Generator? = nil) {
        self.init(images: dataset.images, labels: dataset.labels, batchSize: batchSize, shuffle: shuffle,
                  dropLast: dropLast, generator: generator)
    }

    /// A loader over `images` [N, ...] and `labels` [N].
    public init(images: Tensor, labels: Tensor, batchSize: Int, shuffle: Bool = true, dropLast: Bool = true,
                generator: Ember.Generator? = nil) {
        precondition(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        precondition(images.shape.first == labels.shape.first, "DataLoader: \(images.shape) images but \(labels.shape) labels")
        self.images = images.contiguous()
        self.labels = labels.contiguous()
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.generator = generator
    }

    /// The number of examples.
    public var count: Int { labels.shape[0] }

    /// Batches per epoch.
    public var batchesPerEpoch: Int { dropLast ? count / batchSize : (count + batchSize - 1) / batchSize }

    /// The next batch, starting a new epoch when the current one is finished.
    public func nextBatch() -> (images: Tensor, labels: Tensor) {
        if batchIndex >= batchesPerEpoch { epoch += 1; batchIndex = 0; order = nil }
        if order == nil { order = shuffle ? Tensor.randperm(count, generator: generator).toIntArray() : Array(0..<count) }
        let start = batchIndex * batchSize
        let indices = Array(order![start..<Swift.min(start + batchSize, count)])
        batchIndex += 1
        return (images.gatherRows(indices), labels.gatherRows(indices))
    }

    /// Iterates the remaining batches of the current epoch.
    public func makeIterator() -> AnyIterator<(Tensor, Tensor)> {
        if batchIndex >= batchesPerEpoch { epoch += 1; batchIndex = 0; order = nil }
        var remaining = batchesPerEpoch - batchIndex
        return AnyIterator {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return self.nextBatch()
        }
    }

    /// `size` examples drawn uniformly with replacement (Keras tutorial style).
    public func randomBatch(size: Int) -> (images: Tensor, labels: Tensor) {
        let g = generator ?? Ember.Generator.default
        let indices = (0..<size).map { _ in g.nextInt(below: count) }
        return (images.gatherRows(indices), labels.gatherRows(indices))
    }
}

extension DataLoader: Checkpointable {
    /// The current order (int64) as `order`, and `epoch` and `batch_index` as metadata.
    public func checkpointPayload() -> CheckpointPayload {
        var sd = StateDict()
        if let order { sd["order"] = Tensor(order, shape: [order.count], dtype: .int64) }
        return CheckpointPayload(tensors: sd, metadata: ["epoch": String(epoch), "batch_index": String(batchIndex)])
    }

    public func checkpointProblems(_ payload: CheckpointPayload, strict: Bool) -> [String] {
        var problems: [String] = []
        if Int(payload.metadata["epoch"] ?? "") == nil { problems.append("data loader: missing or invalid epoch") }
        guard let b = Int(payload.metadata["batch_index"] ?? ""), b >= 0, b <= batchesPerEpoch else {
            return problems + ["data loader: missing or invalid batch_index"]
        }
        if let o = payload.tensors["order"] {
            if o.dtype != .int64 || o.shape != [count] { problems.append("data loader: order must be int64 [\(count)], got \(o.dtype) \(shapeString(o.shape))") }
            else if Set(o.toIntArray()) != Set(0..<count) { problems.append("data loader: order is not a permutation of 0..<\(count)") }
        }
        return problems
    }

    public func restoreCheckpoint(_ payload: CheckpointPayload) {
        epoch = Int(payload.metadata["epoch"]!)!
        batchIndex = Int(payload.metadata["batch_index"]!)!
        order = payload.tensors["order"]?.toIntArray()
    }
}

extension Tensor {
    /// Rows `indices` of the first dimension, copied into a new contiguous tensor (no history).
    func gatherRows(_ indices: [Int]) -> Tensor {
        let src = isContiguous ? self : contiguousCopy()
        let rowElements = shape.dropFirst().reduce(1, *)
        let bytes = rowElements * dtype.byteSize
        let out = Tensor(uninitializedShape: [indices.count] + shape.dropFirst(), dtype: dtype)
        let base = src.storage.raw + src.offset * dtype.byteSize
        for (i, r) in indices.enumerated() {
            precondition(r >= 0 && r < shape[0], "gatherRows: index \(r) out of range for \(shape[0]) rows")
            (out.storage.raw + i * bytes).copyMemory(from: base + r * bytes, byteCount: bytes)
        }
        return out
    }
}
