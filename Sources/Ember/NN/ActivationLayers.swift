// Activation functions as layers, for use inside `Sequential`.

/// max(0, x) as a layer.
public final class ReLU: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// Leaky ReLU as a layer; PyTorch's default slope is 0.01, GANs use 0.2.
public final class LeakyReLU: Module {
    /// The slope for negative inputs.
    public let negativeSlope: Double
    public init(_ negativeSlope: Double = 0.01) { self.negativeSlope = negativeSlope; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }
}

/// Hyperbolic tangent as a layer.
public final class Tanh: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// The logistic sigmoid as a layer.
public final class Sigmoid: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// ELU as a layer.
public final class ELU: Module {
    /// The scale of the negative part.
    public let alpha: Double
    public init(alpha: Double = 1) { self.alpha = alpha; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.elu(alpha: alpha) }
}

/// GELU as a layer.
public final class GELU: Module {
    /// Whether the tanh approximation is used.
    public let approximate: Bool
    public init(approximate: Bool = false) { self.approximate = approximate; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.gelu(approximate: approximate) }
}

/// Softplus as a layer.
public final class Softplus: Module {
    public let beta: Double, threshold: Double
    public init(beta: Double = 1, threshold: Double = 20) { self.beta = beta; self.threshold = threshold; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.softplus(beta: beta, threshold: threshold) }
}

/// Softmax along a dimension as a layer.
public final class Softmax: Module {
    public let dim: Int
    public init(dim: Int) { self.dim = dim; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.softmax(dim: dim) }
}

/// Log-softmax along a dimension as a layer.
public final class LogSoftmax: Module {
    public let dim: Int
    public init(dim: Int) { self.dim = dim; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input.logSoftmax(dim: dim) }
}

/// Passes its input through unchanged.
public final class Identity: Module {
    public override init() { super.init() }
    public override func forward(_ input: Tensor) -> Tensor { input }
}
