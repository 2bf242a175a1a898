/// One named tensor as it is stored in a safetensors file: element type, shape and raw bytes.
///
/// The bytes are little-endian and in C (row-major) order, exactly as in the file; this type does
/// not depend on Ember's `Tensor`, so it can describe any tensor, including types Ember cannot
/// compute with (`F8_E4M3`, `C64`, ...). Use the typed initialisers and accessors in
/// `SafeTensorsEntry+Values.swift` to go to and from Swift arrays:
///
/// ```swift
/// let w = SafeTensorsEntry(name: "fc.weight", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
/// let back: [Float] = try w.floatValues()
/// ```
///
/// A 0-d tensor (a scalar such as Adam's `step`) has shape `[]` and one element; a tensor with a
/// zero in its shape has no elements and no bytes.
public struct SafeTensorsEntry: Equatable, Sendable {
    /// The key of the tensor in the file, e.g. `"layer.0.weight"` or `"optimizer.state.0.exp_avg"`.
    public var name: String
    /// The element type.
    public var dtype: SafeTensorsDType
    /// The size of each dimension, outermost first; `[]` for a 0-d tensor.
    public var shape: [Int]
    /// The elements' bytes, little-endian, C order. Its count must equal ``byteCount`` for the
    /// entry to be written.
    public var data: [UInt8]

    /// Creates an entry from raw little-endian bytes. Nothing is checked here; the writer checks
    /// that `data.count` matches `dtype` and `shape` and throws if not.
    public init(name: String, dtype: SafeTensorsDType, shape: [Int], data: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// The number of elements: the product of `shape`, 1 for a 0-d tensor.
    ///
    /// Entries read from a file always have a valid shape. For a hand-made entry whose shape has a
    /// negative dimension or overflows, this stops the program with a message (a programmer error).
    public var elementCount: Int {
        guard let count = SafeTensorsEntry.elementCount(of: shape) else {
            preconditionFailure("SafeTensorsEntry \(safeTensorsQuoted(name)): shape \(shape) is negative or too large")
        }
        return count
    }

    /// The number of bytes the data must have for `dtype` and `shape`.
    ///
    /// For a hand-made entry with an invalid shape this stops the program (see ``elementCount``).
    public var byteCount: Int {
        guard let bytes = dtype.byteCount(forElementCount: elementCount) else {
            preconditionFailure("SafeTensorsEntry \(safeTensorsQuoted(name)): \(dtype.rawValue) x \(shape) is not a whole number of bytes or overflows")
        }
        return bytes
    }

    /// The product of `shape`, or `nil` when a dimension is negative or the product overflows `Int`.
    static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}
