import Foundation

/// An n-dimensional array that can record the operations applied to it for automatic
/// differentiation.
///
/// `Tensor` has reference semantics, like PyTorch's `torch.Tensor`: a parameter updated in place by
/// an optimizer is the same object the model holds, and `.grad` belongs to that object. Views
/// (`reshape`, `transpose`, `slice`, `expand`, ...) share storage with the tensor they come from.
///
/// ```swift
/// let w = Tensor.randn([3, 2], requiresGrad: true)
/// let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
/// let loss = x.matmul(w).relu().sum()
/// loss.backward()
/// print(w.grad!)        // d loss / d w
/// ```
public final class Tensor {
    var storage: TensorStorage
    /// The size of each dimension.
    public let shape: [Int]
    /// The distance in elements between consecutive indices of each dimension.
    public let strides: [Int]
    /// The position of the first element inside the storage, in elements.
    let offset: Int

    /// The node that produced this tensor, for tensors computed from tensors that require gradients.
    var gradFn: Node?
    var leafRequiresGrad = false
    /// Whether `.grad` is kept for a non-leaf tensor (see `retainGrad()`).
    var retainsGrad = false

    /// The gradient accumulated by `backward()`, for leaf tensors that require gradients (and
    /// tensors on which `retainGrad()` was called). Gradients add up across calls until reset
    /// with `zeroGrad()` (or by assigning `nil`).
    public var grad: Tensor?

    /// An optional label used in error messages and summaries.
    public var name: String?

    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A new, uninitialised contiguous tensor.
    init(uninitializedShape shape: [Int], dtype: DType) {
        let n = shape.reduce(1, *)
        self.storage = TensorStorage(count: n, dtype: dtype)
        self.shape = shape
        self.strides = Tensor.contiguousStrides(shape)
        self.offset = 0
    }

    deinit {
        // Tear the graph down iteratively: a chain of a million ops must not overflow the stack.
        if gradFn != nil { Node.releaseIteratively(&gradFn) }
    }

    // MARK: Inspection

    /// The element type.
    public var dtype: DType { storage.dtype }
    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements (PyTorch's `numel()`).
    public var count: Int { shape.reduce(1, *) }
    /// Whether the elements are laid out densely in row-major (C) order.
    public var isContiguous: Bool {
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            if shape[d] != 1 && strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// Whether gradients flow to this tensor. Settable on leaf tensors (tensors not computed by
    /// a recorded operation), like PyTorch's `requires_grad_()`.
    public var requiresGrad: Bool {
        get { gradFn != nil || leafRequiresGrad }
        set {
            precondition(gradFn == nil || newValue,
                         "requiresGrad: can only change requiresGrad of leaf tensors; use detach()")
            precondition(!newValue || dtype.isFloatingPoint,
                         "requiresGrad: only floating-point tensors can require gradients (dtype \(dtype))")
            if gradFn == nil { leafRequiresGrad = newValue }
        }
    }

    /// Whether this tensor was created by the user rather than computed by a recorded op.
    public var isLeaf: Bool { gradFn == nil }

    /// The name of the operation that produced this tensor, or nil for a leaf.
    public var gradFunctionName: String? { gradFn?.name }

    /// Keeps `.grad` for this non-leaf tensor during `backward()`.
    public func retainGrad() {
        if let fn = gradFn { retainsGrad = true; fn.retainedOutput = self }
    }

    /// Sets `requiresGrad` and returns the tensor, for chaining (`Tensor.zeros([3]).requiringGrad()`).
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor { requiresGrad = flag; return self }

    // MARK: Shape helpers

    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = s
            s *= shape[d]
        }
        return strides
    }

    /// Normalises a possibly negative dimension index, stopping with a message naming `op`.
    func normalizedDim(_ dim: Int, _ op: String, rank r: Int? = nil) -> Int {
        let r = r ?? rank
        let d = dim < 0 ? dim + r : dim
        if d < 0 || d >= Swift.max(r, 1) {
            fail(op, "dimension \(dim) out of range for a tensor of shape \(shape)")
        }
        return d
    }

    // MARK: Raw element access (contiguous tensors)

    @inline(__always) func basePointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.pointer(T.self) + offset
    }
}

/// Stops the program with a message naming the operation and the problem: used for programmer
/// errors such as mismatched shapes, like PyTorch's `RuntimeError`s.
func fail(_ op: String, _ message: String) -> Never {
    fatalError("\(op): \(message)")
}

/// The description of a shape as PyTorch prints it in messages: `[128, 784]`.
func shapeString(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
