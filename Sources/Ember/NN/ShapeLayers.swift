/// Flattens dimensions `startDim...endDim` (by default all but the batch dimension).
public final class Flatten: Module {
    public let startDim: Int, endDim: Int
    public init(startDim: Int = 1, endDim: Int = -1) { self.startDim = startDim; self.endDim = endDim; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.flatten(startDim: startDim, endDim: endDim) }
}

/// Expands dimension `dim` into `sizes` (PyTorch's `nn.Unflatten`): [N, 6272] → [N, 128, 7, 7].
public final class Unflatten: Module {
    public let dim: Int, sizes: [Int]
    public init(dim: Int, sizes: [Int]) { self.dim = dim; self.sizes = sizes; super.init() }
    public override func forward(_ input: Tensor) -> Tensor {
        let d = input.normalizedDim(dim, "Unflatten")
        return input.reshape(Array(input.shape[..<d]) + sizes + Array(input.shape[(d + 1)...]))
    }
}

/// Reshapes every sample to `shape`, keeping the batch dimension (Keras's `Reshape`).
public final class Reshape: Module {
    public let shape: [Int]
    public init(_ shape: [Int]) { self.shape = shape; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.reshape([input.shape[0]] + shape) }
}
