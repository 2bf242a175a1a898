import Foundation

/// The element type of a tensor.
///
/// `float32` is the default for everything a model computes. `float64` exists so that gradient
/// checks can use exact finite differences, and `int64` holds class labels and indices
/// (the results of `argmax`, the targets of `crossEntropy`, the inputs of `Embedding`).
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    /// 32-bit IEEE floating point (PyTorch's `torch.float32`).
    case float32
    /// 64-bit IEEE floating point (PyTorch's `torch.float64`).
    case float64
    /// 64-bit signed integer (PyTorch's `torch.int64`, used for labels and indices).
    case int64

    /// The size of one element in bytes.
    public var byteSize: Int {
        switch self {
        case .float32: return 4
        case .float64, .int64: return 8
        }
    }

    /// Whether the type is a floating-point type (only those can require gradients).
    public var isFloatingPoint: Bool { self != .int64 }

    public var description: String { rawValue }
}

/// The floating-point element types Ember computes with (`Float` and `Double`).
///
/// Internal kernels are generic over this protocol; the compiler specialises them for both types.
public protocol TensorFloat: BinaryFloatingPoint, SIMDScalar, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
    /// The dtype tag of this element type.
    static var dtype: DType { get }
    /// e^x
    static func exp(_ x: Self) -> Self
    /// Natural logarithm.
    static func log(_ x: Self) -> Self
    /// log(1 + x), accurate for small x.
    static func log1p(_ x: Self) -> Self
    /// Hyperbolic tangent.
    static func tanh(_ x: Self) -> Self
    /// The error function.
    static func erf(_ x: Self) -> Self
    /// x raised to the power y.
    static func pow(_ x: Self, _ y: Self) -> Self
    /// e^x - 1, accurate for small x.
    static func expm1(_ x: Self) -> Self
}

extension Float: TensorFloat {
    public static var dtype: DType { .float32 }
    @inline(__always) public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) public static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
    @inline(__always) public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    @inline(__always) public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
    @inline(__always) public static func expm1(_ x: Float) -> Float { Foundation.expm1(x) }
}

extension Double: TensorFloat {
    public static var dtype: DType { .float64 }
    @inline(__always) public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inline(__always) public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    @inline(__always) public static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
}
