/// Marks a module's tensor as a buffer: state that is saved in `stateDict()` but never trained,
/// such as BatchNorm's running statistics (PyTorch's `register_buffer`).
///
/// ```swift
/// final class Normalizer: Module {
///     @Buffer var mean = Tensor.zeros([3])
/// }
/// ```
/// Buffers are found by `buffers()` and `namedBuffers()`; optimizers never see them.
@propertyWrapper
public final class Buffer {
    /// The buffer's tensor.
    public var wrappedValue: Tensor
    /// Whether the buffer is part of `stateDict()` (PyTorch's `persistent=True`).
    public let persistent: Bool

    /// Declares a buffer holding `wrappedValue`.
    public init(wrappedValue: Tensor, persistent: Bool = true) {
        self.wrappedValue = wrappedValue
        self.persistent = persistent
    }
}
