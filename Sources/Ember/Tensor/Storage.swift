import Foundation

/// A reference-counted, 64-byte aligned block of memory holding a tensor's elements.
///
/// Several tensors (views) may share one storage. `version` counts in-place writes, so that
/// autograd can tell when a tensor saved for backward was modified after it was saved.
final class TensorStorage {
    let raw: UnsafeMutableRawPointer
    let byteCount: Int
    let dtype: DType
    /// Incremented by every in-place write (optimizer steps, `fill`, `copy`).
    var version: Int = 0

    /// Allocates uninitialised storage for `count` elements of `dtype`.
    init(count: Int, dtype: DType) {
        self.dtype = dtype
        self.byteCount = max(count, 0) * dtype.byteSize
        self.raw = BufferPool.shared.allocate(byteCount: byteCount)
    }

    deinit { BufferPool.shared.release(raw, byteCount: byteCount) }

    @inline(__always) func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }
}
