/// A fully connected layer: y = x·Wᵀ + b (PyTorch's `nn.Linear`, Keras's `Dense`).
///
/// `weight` has shape [outFeatures, inFeatures] and `bias` [outFeatures]. Both start uniform in
/// ±1/√inFeatures, PyTorch's default (Kaiming-uniform with a = √5).
public final class Linear: Module {
    /// The weight matrix [outFeatures, inFeatures].
    public let weight: Tensor
    /// The bias [outFeatures], or nil.
    public let bias: Tensor?
    /// Input size.
    public let inFeatures: Int
    /// Output size.
    public let outFeatures: Int

    /// A layer mapping `inFeatures` to `outFeatures`, with a bias unless `bias: false`.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let bound = 1 / Double(inFeatures).squareRoot()
        weight = Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, dtype: dtype, requiresGrad: true)
        self.bias = bias ? Tensor.uniform([outFeatures], low: -bound, high: bound, dtype: dtype, requiresGrad: true) : nil
        super.init()
    }

    /// A layer with the given parameters (for tests and conversions).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        self.weight = weight
        self.bias = bias
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        linear(input, weight: weight, bias: bias)
    }
}
