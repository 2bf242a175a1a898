extension Tensor {
    /// The elements in row-major order, as `T` (which must match the dtype).
    func contiguousArray<T>(_: T.Type) -> [T] {
        let n = count
        return [T](unsafeUninitializedCapacity: n) { buf, initialized in
            let src = UnsafePointer(basePointer(T.self))
            if isContiguous {
                buf.baseAddress!.initialize(from: src, count: n)
            } else if n > 0 {
                copyStrided(from: src, shape: shape, strides: strides, to: buf.baseAddress!)
            }
            initialized = n
        }
    }

    /// A contiguous copy with its own storage (no history).
    func contiguousCopy() -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        let bytes = dtype.byteSize
        if isContiguous {
            out.storage.raw.copyMemory(from: storage.raw + offset * bytes, byteCount: count * bytes)
        } else {
            switch dtype {
            case .float32: copyStrided(from: basePointer(Float.self), shape: shape, strides: strides, to: out.basePointer(Float.self))
            case .float64: copyStrided(from: basePointer(Double.self), shape: shape, strides: strides, to: out.basePointer(Double.self))
            case .int64: copyStrided(from: basePointer(Int64.self), shape: shape, strides: strides, to: out.basePointer(Int64.self))
            }
        }
        return out
    }

    /// This tensor if it is contiguous, otherwise a contiguous copy (recorded for autograd).
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let out = contiguousCopy()
        if Autograd.shouldRecord(self) {
            out.recorded("contiguous", [self], inputsSaved: false) { g, _ in [g] }
        }
        return out
    }

    /// The elements in row-major order, converted to `Float`.
    public func toArray() -> [Float] {
        switch dtype {
        case .float32: return contiguousArray(Float.self)
        case .float64: return contiguousArray(Double.self).map { Float($0) }
        case .int64: return contiguousArray(Int64.self).map { Float($0) }
        }
    }

    /// The elements in row-major order, converted to `Double`.
    public func toDoubleArray() -> [Double] {
        switch dtype {
        case .float32: return contiguousArray(Float.self).map { Double($0) }
        case .float64: return contiguousArray(Double.self)
        case .int64: return contiguousArray(Int64.self).map { Double($0) }
        }
    }

    /// The elements in row-major order, converted to `Int` (floating-point values truncate).
    public func toIntArray() -> [Int] {
        switch dtype {
        case .float32: return contiguousArray(Float.self).map { Int($0) }
        case .float64: return contiguousArray(Double.self).map { Int($0) }
        case .int64: return contiguousArray(Int64.self).map { Int($0) }
        }
    }

    /// The value of a one-element tensor, as `Float`.
    public func item() -> Float {
        if count != 1 { fail("item", "a tensor with \(count) elements (shape \(shapeString(shape))) cannot be converted to a scalar") }
        return toArray()[0]
    }

    /// The value of a one-element tensor, as `Double`.
    public func doubleItem() -> Double {
        if count != 1 { fail("item", "a tensor with \(count) elements (shape \(shapeString(shape))) cannot be converted to a scalar") }
        return toDoubleArray()[0]
    }

    /// The value of a one-element integer tensor, as `Int`.
    public func intItem() -> Int {
        if count != 1 { fail("item", "a tensor with \(count) elements (shape \(shapeString(shape))) cannot be converted to a scalar") }
        return toIntArray()[0]
    }

    /// Reads the element at a multi-dimensional index, as `Double` (slow; for tests and printing).
    public subscript(element index: [Int]) -> Double {
        if index.count != rank { fail("subscript", "index \(index) has \(index.count) entries for a tensor of rank \(rank)") }
        var o = offset
        for (d, i) in index.enumerated() {
            if i < 0 || i >= shape[d] { fail("subscript", "index \(index) out of range for shape \(shapeString(shape))") }
            o += i * strides[d]
        }
        switch dtype {
        case .float32: return Double(storage.pointer(Float.self)[o])
        case .float64: return storage.pointer(Double.self)[o]
        case .int64: return Double(storage.pointer(Int64.self)[o])
        }
    }

    /// Calls `body` with the contiguous elements of this tensor for reading.
    /// Stops if the tensor is not contiguous or `T` does not match the dtype.
    public func withUnsafeBufferPointer<T, R>(as: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        checkRawAccess(T.self)
        return try body(UnsafeBufferPointer(start: basePointer(T.self), count: count))
    }

    /// Calls `body` with the contiguous elements of this tensor for writing in place. Writing
    /// bumps the tensor's version: a tensor saved for a pending backward must not be changed.
    public func withUnsafeMutableBufferPointer<T, R>(as: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        checkRawAccess(T.self)
        storage.version &+= 1
        return try body(UnsafeMutableBufferPointer(start: basePointer(T.self), count: count))
    }

    private func checkRawAccess<T>(_: T.Type) {
        if !isContiguous { fail("withUnsafeBufferPointer", "the tensor of shape \(shapeString(shape)) is not contiguous; call contiguous() first") }
        let ok = (T.self == Float.self && dtype == .float32) || (T.self == Double.self && dtype == .float64)
            || (T.self == Int64.self && dtype == .int64)
        if !ok { fail("withUnsafeBufferPointer", "element type \(T.self) does not match dtype \(dtype)") }
    }
}
