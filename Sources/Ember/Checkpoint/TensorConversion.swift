import Foundation

extension Tensor {
    /// This tensor as a safetensors entry: F32, F64 or I64, little-endian, C order.
    public func safeTensorsEntry(name: String) -> SafeTensorsEntry {
        let src = isContiguous ? self : contiguousCopy()
        let bytes = count * dtype.byteSize
        let data = [UInt8](UnsafeRawBufferPointer(start: src.storage.raw + src.offset * dtype.byteSize, count: bytes))
        let st: SafeTensorsDType
        switch dtype {
        case .float32: st = .f32
        case .float64: st = .f64
        case .int64: st = .i64
        }
        return SafeTensorsEntry(name: name, dtype: st, shape: shape, data: data)
    }

    /// A tensor holding a safetensors entry: F64 becomes float64, F32/F16/BF16 float32, and
    /// integer and boolean types int64.
    public convenience init(safeTensorsEntry entry: SafeTensorsEntry) throws {
        switch entry.dtype {
        case .f64:
            self.init(try entry.doubleValues(), shape: entry.shape, dtype: .float64)
        case .f32, .f16, .bf16:
            self.init(try entry.floatValues(), shape: entry.shape)
        default:
            let values = try entry.int64Values()
            self.init(uninitializedShape: entry.shape, dtype: .int64)
            basePointer(Int64.self).update(from: values, count: values.count)
        }
    }
}
