import Foundation

/// A size-bucketed cache of large, 64-byte aligned buffers.
///
/// A training step allocates the same large activations and gradients every iteration. Returning
/// them to the operating system and asking again costs page faults (zero-filling fresh pages), so
/// buffers of at least `minimumPooledBytes` are kept in buckets of quarter-octave sizes and handed
/// out again. The cache is bounded by `capacityBytes`; small buffers go straight to `malloc`.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()

    /// Buffers smaller than this are not pooled.
    let minimumPooledBytes = 64 * 1024
    /// The most bytes kept idle in the pool.
    var capacityBytes = 512 * 1024 * 1024

    private var buckets: [Int: [UnsafeMutableRawPointer]] = [:]
    private var cachedBytes = 0
    private let lock = NSLock()

    /// The bucket size a request of `byteCount` bytes is rounded up to: 2^k · {1, 1.25, 1.5, 1.75}.
    func bucketSize(_ byteCount: Int) -> Int {
        if byteCount < minimumPooledBytes { return byteCount }
        let top = Int.bitWidth - 1 - (byteCount - 1).leadingZeroBitCount  // floor(log2(n - 1))
        let base = 1 << top
        let quarter = base / 4
        let steps = (byteCount - base + quarter - 1) / quarter
        return base + steps * quarter
    }

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let size = bucketSize(max(byteCount, 1))
        if size >= minimumPooledBytes {
            lock.lock()
            if var list = buckets[size], let p = list.popLast() {
                buckets[size] = list
                cachedBytes -= size
                lock.unlock()
                return p
            }
            lock.unlock()
        }
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let size = bucketSize(max(byteCount, 1))
        if size >= minimumPooledBytes {
            lock.lock()
            if cachedBytes + size <= capacityBytes {
                buckets[size, default: []].append(pointer)
                cachedBytes += size
                lock.unlock()
                return
            }
            lock.unlock()
        }
        pointer.deallocate()
    }

    /// Frees every cached buffer.
    func clear() {
        lock.lock()
        for (_, list) in buckets { for p in list { p.deallocate() } }
        buckets = [:]
        cachedBytes = 0
        lock.unlock()
    }
}
