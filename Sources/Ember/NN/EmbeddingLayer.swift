/// A lookup table of `numEmbeddings` vectors of size `embeddingDim` (PyTorch's `nn.Embedding`),
/// used to feed class labels to a conditional GAN. Weights start N(0, 1); the row of
/// `paddingIndex`, if given, starts at zero and receives no gradient.
public final class Embedding: Module {
    /// The table [numEmbeddings, embeddingDim].
    public let weight: Tensor
    public let paddingIndex: Int?

    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIndex: Int? = nil, dtype: DType = .float32) {
        let table = Tensor.randn([numEmbeddings, embeddingDim], dtype: dtype)
        if let p = paddingIndex {
            table.select(dim: 0, index: p).assignStrided(from: Tensor.zeros([embeddingDim], dtype: dtype))
        }
        table.requiresGrad = true
        weight = table
        self.paddingIndex = paddingIndex
        super.init()
    }

    /// Looks up the rows of int64 `indices` (any shape); the result has shape indices.shape + [embeddingDim].
    public override func forward(_ indices: Tensor) -> Tensor {
        embedding(indices, weight: weight, paddingIndex: paddingIndex)
    }
}
