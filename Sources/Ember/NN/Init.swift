import Foundation

/// Parameter initialisers, applied in place to any tensor (PyTorch's `nn.init`).
///
/// DCGAN's initialisation is one line per rule:
/// ```swift
/// model.apply { m in
///     if let conv = m as? Conv2D { Init.normal(conv.weight, mean: 0, std: 0.02) }
/// }
/// ```
public enum Init {
    /// How `kaimingUniform`/`kaimingNormal` pick the fan.
    public enum FanMode: Sendable { case fanIn, fanOut }

    /// Non-linearities for `gain(for:)`.
    public enum Nonlinearity: Sendable { case linear, sigmoid, tanh, relu, leakyRelu(negativeSlope: Double), selu }

    /// The recommended gain for a non-linearity (PyTorch's `calculate_gain`): 1 for linear and
    /// sigmoid, 5/3 for tanh, √2 for ReLU, √(2/(1 + a²)) for leaky ReLU, 3/4 for SELU.
    public static func gain(for nonlinearity: Nonlinearity) -> Double {
        switch nonlinearity {
        case .linear, .sigmoid: return 1
        case .tanh: return 5.0 / 3
        case .relu: return 2.0.squareRoot()
        case .leakyRelu(let a): return (2 / (1 + a * a)).squareRoot()
        case .selu: return 0.75
        }
    }

    /// (fan_in, fan_out) of a weight: fan_in = size(1)·receptive field, fan_out = size(0)·receptive field.
    public static func fans(_ t: Tensor) -> (fanIn: Int, fanOut: Int) {
        if t.rank < 2 { fail("Init.fans", "fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape \(shapeString(t.shape)))") }
        let receptive = t.shape[2...].reduce(1, *)
        return (t.shape[1] * receptive, t.shape[0] * receptive)
    }

    /// Fills `t` with N(mean, std²).
    public static func normal(_ t: Tensor, mean: Double = 0, std: Double = 1, generator: Generator? = nil) {
        withNoGrad { t.fillNormal(mean: mean, std: std, generator: generator) }
    }

    /// Fills `t` with U(low, high).
    public static func uniform(_ t: Tensor, low: Double = 0, high: Double = 1, generator: Generator? = nil) {
        withNoGrad { t.fillUniform(low: low, high: high, generator: generator) }
    }

    /// Fills `t` with `value`.
    public static func constant(_ t: Tensor, _ value: Double) { withNoGrad { t.fill(value) } }
    /// Fills `t` with zeros.
    public static func zeros(_ t: Tensor) { constant(t, 0) }
    /// Fills `t` with ones.
    public static func ones(_ t: Tensor) { constant(t, 1) }

    /// Glorot uniform: U(±a) with a = gain·√(6/(fan_in + fan_out)).
    public static func xavierUniform(_ t: Tensor, gain: Double = 1, generator: Generator? = nil) {
        let (fi, fo) = fans(t)
        let a = gain * (6 / Double(fi + fo)).squareRoot()
        uniform(t, low: -a, high: a, generator: generator)
    }

    /// Glorot normal: N(0, std²) with std = gain·√(2/(fan_in + fan_out)).
    public static func xavierNormal(_ t: Tensor, gain: Double = 1, generator: Generator? = nil) {
        let (fi, fo) = fans(t)
        normal(t, std: gain * (2 / Double(fi + fo)).squareRoot(), generator: generator)
    }

    /// He uniform: U(±bound) with bound = gain·√(3/fan), gain = √(2/(1 + a²)) for the default
    /// leaky-ReLU non-linearity. `a = √5` gives PyTorch's default Linear/Conv initialisation
    /// (bound 1/√fan_in).
    public static func kaimingUniform(_ t: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity? = nil, generator: Generator? = nil) {
        let (fi, fo) = fans(t)
        let fan = Double(mode == .fanIn ? fi : fo)
        let g = gain(for: nonlinearity ?? .leakyRelu(negativeSlope: a))
        let bound = g * (3 / fan).squareRoot()
        uniform(t, low: -bound, high: bound, generator: generator)
    }

    /// He normal: N(0, std²) with std = gain/√fan.
    public static func kaimingNormal(_ t: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                     nonlinearity: Nonlinearity? = nil, generator: Generator? = nil) {
        let (fi, fo) = fans(t)
        let fan = Double(mode == .fanIn ? fi : fo)
        normal(t, std: gain(for: nonlinearity ?? .leakyRelu(negativeSlope: a)) / fan.squareRoot(), generator: generator)
    }
}
