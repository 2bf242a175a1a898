import Foundation

// Conversions between a `SafeTensorsEntry`'s little-endian bytes and Swift arrays.
// They produce and expect little-endian data on every host.

extension SafeTensorsEntry {
    /// Creates an entry holding `floats`, stored as `dtype`.
    ///
    /// `dtype` may be `.f32` (the default, exact), `.f64` (exact), `.f16` or `.bf16` (rounded to
    /// nearest even, as PyTorch's `.half()` / `.bfloat16()` do).
    ///
    /// - Precondition: `floats.count` equals the product of `shape`, and `dtype` is one of the four
    ///   float types above. Violations are programmer errors and stop the program with a message.
    public init(name: String, shape: [Int], floats: [Float], dtype: SafeTensorsDType = .f32) {
        SafeTensorsEntry.checkCount(name: name, shape: shape, count: floats.count)
        let bytes: [UInt8]
        switch dtype {
        case .f32: bytes = SafeTensorsEntry.encodeFast(floats) { $0.bitPattern }
        case .f64: bytes = SafeTensorsEntry.encode(floats) { Double($0).bitPattern }
        case .f16: bytes = SafeTensorsEntry.encode(floats) { HalfPrecision.float16Bits(from: $0) }
        case .bf16: bytes = SafeTensorsEntry.encode(floats) { HalfPrecision.bfloat16Bits(from: $0) }
        default:
            preconditionFailure("SafeTensorsEntry \(safeTensorsQuoted(name)): cannot store Float values as \(dtype.rawValue); use F32, F64, F16 or BF16")
        }
        self.init(name: name, dtype: dtype, shape: shape, data: bytes)
    }

    /// Creates an entry holding `doubles`, stored as `dtype`.
    ///
    /// `dtype` may be `.f64` (the default, exact), `.f32` (rounded to nearest), `.f16` or `.bf16`
    /// (rounded through `Float`).
    ///
    /// - Precondition: `doubles.count` equals the product of `shape`, and `dtype` is a float type.
    public init(name: String, shape: [Int], doubles: [Double], dtype: SafeTensorsDType = .f64) {
        switch dtype {
        case .f64:
            SafeTensorsEntry.checkCount(name: name, shape: shape, count: doubles.count)
            self.init(name: name, dtype: .f64, shape: shape, data: SafeTensorsEntry.encodeFast(doubles) { $0.bitPattern })
        case .f32, .f16, .bf16:
            self.init(name: name, shape: shape, floats: doubles.map { Float($0) }, dtype: dtype)
        default:
            preconditionFailure("SafeTensorsEntry \(safeTensorsQuoted(name)): cannot store Double values as \(dtype.rawValue); use F64, F32, F16 or BF16")
        }
    }

    /// Creates an entry holding `integers`, stored as `dtype`.
    ///
    /// `dtype` may be `.i64` (the default, PyTorch's `int64`), any other integer type (`.i32`,
    /// `.i16`, `.i8`, `.u8`, `.u16`, `.u32`, `.u64`), or `.bool` (values 0 and 1).
    ///
    /// - Precondition: `integers.count` equals the product of `shape`, `dtype` is an integer type
    ///   or `.bool`, and every value fits in `dtype`.
    public init(name: String, shape: [Int], integers: [Int64], dtype: SafeTensorsDType = .i64) {
        SafeTensorsEntry.checkCount(name: name, shape: shape, count: integers.count)
        func narrow<T: FixedWidthInteger>(_ type: T.Type) -> [UInt8] {
            SafeTensorsEntry.encode(integers) { value -> T in
                guard let narrowed = T(exactly: value) else {
                    preconditionFailure("SafeTensorsEntry \(safeTensorsQuoted(name)): value \(value) does not fit in \(dtype.rawValue)")
                }
                return narrowed
            }
        }
        let bytes: [UInt8]
        switch dtype {
        case .i64: bytes = SafeTensorsEntry.encodeFast(integers) { $0 }
        case .i32: bytes = narrow(Int32.self)
        case .i16: bytes = narrow(Int16.self)
        case .i8: bytes = narrow(Int8.self)
        case .u8: bytes = narrow(UInt8.self)
        case .u16: bytes = narrow(UInt16.self)
        case .u32: bytes = narrow(UInt32.self)
        case .u64: bytes = narrow(UInt64.self)
        case .bool:
            bytes = integers.map { value -> UInt8 in
                guard value == 0 || value == 1 else {
                    preconditionFailure("SafeTensorsEntry \(safeTensorsQuoted(name)): BOOL values must be 0 or 1, got \(value)")
                }
                return UInt8(value)
            }
        default:
            preconditionFailure("SafeTensorsEntry \(safeTensorsQuoted(name)): cannot store integers as \(dtype.rawValue); use an integer dtype or BOOL")
        }
        self.init(name: name, dtype: dtype, shape: shape, data: bytes)
    }

    /// The elements as `Float`, converted from `F32` (exact), `F16`, `BF16` (exact) or `F64`
    /// (rounded to nearest).
    ///
    /// - Throws: ``SafeTensorsError/unsupportedConversion(name:dtype:target:)`` for other dtypes.
    public func floatValues() throws(SafeTensorsError) -> [Float] {
        switch dtype {
        case .f32:
            return decodeFast(Float.self, UInt32.self) { Float(bitPattern: $0) }
        case .f64:
            return decode(UInt64.self) { Float(Double(bitPattern: $0)) }
        case .f16:
            return decode(UInt16.self) { HalfPrecision.float(fromFloat16Bits: $0) }
        case .bf16:
            return decode(UInt16.self) { HalfPrecision.float(fromBFloat16Bits: $0) }
        default:
            throw .unsupportedConversion(name: name, dtype: dtype, target: "[Float]")
        }
    }

    /// The elements as `Double`, converted from `F64`, `F32`, `F16` or `BF16` (all exact).
    ///
    /// - Throws: ``SafeTensorsError/unsupportedConversion(name:dtype:target:)`` for other dtypes.
    public func doubleValues() throws(SafeTensorsError) -> [Double] {
        switch dtype {
        case .f64:
            return decodeFast(Double.self, UInt64.self) { Double(bitPattern: $0) }
        case .f32:
            return decode(UInt32.self) { Double(Float(bitPattern: $0)) }
        case .f16:
            return decode(UInt16.self) { Double(HalfPrecision.float(fromFloat16Bits: $0)) }
        case .bf16:
            return decode(UInt16.self) { Double(HalfPrecision.float(fromBFloat16Bits: $0)) }
        default:
            throw .unsupportedConversion(name: name, dtype: dtype, target: "[Double]")
        }
    }

    /// The elements as `Int64`, converted from any integer dtype or `BOOL` (any non-zero byte is 1).
    ///
    /// - Throws: ``SafeTensorsError/unsupportedConversion(name:dtype:target:)`` for float dtypes,
    ///   ``SafeTensorsError/valueOutOfRange(name:index:target:)`` for a `U64` value above `Int64.max`.
    public func int64Values() throws(SafeTensorsError) -> [Int64] {
        switch dtype {
        case .i64: return decodeFast(Int64.self, UInt64.self) { Int64(bitPattern: $0) }
        case .i32: return decode(UInt32.self) { Int64(Int32(bitPattern: $0)) }
        case .i16: return decode(UInt16.self) { Int64(Int16(bitPattern: $0)) }
        case .i8: return data.map { Int64(Int8(bitPattern: $0)) }
        case .u8: return data.map { Int64($0) }
        case .bool: return data.map { $0 == 0 ? 0 : 1 }
        case .u16: return decode(UInt16.self) { Int64($0) }
        case .u32: return decode(UInt32.self) { Int64($0) }
        case .u64:
            let raw = decode(UInt64.self) { $0 }
            var result = [Int64]()
            result.reserveCapacity(raw.count)
            for (index, value) in raw.enumerated() {
                guard let converted = Int64(exactly: value) else {
                    throw .valueOutOfRange(name: name, index: index, target: "Int64")
                }
                result.append(converted)
            }
            return result
        default:
            throw .unsupportedConversion(name: name, dtype: dtype, target: "[Int64]")
        }
    }

    // MARK: - Helpers

    /// Stops with a readable message when `count` values cannot fill `shape`.
    private static func checkCount(name: String, shape: [Int], count: Int) {
        guard let expected = elementCount(of: shape) else {
            preconditionFailure("SafeTensorsEntry \(safeTensorsQuoted(name)): shape \(shape) is negative or too large")
        }
        precondition(expected == count,
                     "SafeTensorsEntry \(safeTensorsQuoted(name)): shape \(shape) has \(expected) elements but \(count) values were given")
    }

    /// Encodes each value as the little-endian bytes of `transform(value)`.
    private static func encode<Value, Bits: FixedWidthInteger>(_ values: [Value], _ transform: (Value) -> Bits) -> [UInt8] {
        let width = MemoryLayout<Bits>.size
        return [UInt8](unsafeUninitializedCapacity: values.count * width) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            let raw = UnsafeMutableRawPointer(base)
            for (index, value) in values.enumerated() {
                raw.storeBytes(of: transform(value).littleEndian, toByteOffset: index * width, as: Bits.self)
            }
            initialized = values.count * width
        }
    }

    /// Like ``encode(_:_:)``, but a plain memory copy on little-endian hosts, where the in-memory
    /// representation of `Value` already is the file's.
    private static func encodeFast<Value: BitwiseCopyable, Bits: FixedWidthInteger>(_ values: [Value], _ transform: (Value) -> Bits) -> [UInt8] {
        #if _endian(little)
        precondition(MemoryLayout<Value>.size == MemoryLayout<Bits>.size)
        return values.withUnsafeBytes { Array($0) }
        #else
        return encode(values, transform)
        #endif
    }

    /// Like ``decode(_:_:)``, but a plain memory copy on little-endian hosts.
    private func decodeFast<Value: BitwiseCopyable, Bits: FixedWidthInteger>(_: Value.Type, _ bits: Bits.Type, _ transform: (Bits) -> Value) -> [Value] {
        #if _endian(little)
        let width = MemoryLayout<Value>.size
        precondition(width == MemoryLayout<Bits>.size && width == MemoryLayout<Value>.stride)
        let count = data.count / width
        return [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                if count > 0, let destination = buffer.baseAddress, let source = raw.baseAddress {
                    UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * width)
                }
            }
            initialized = count
        }
        #else
        return decode(bits, transform)
        #endif
    }

    /// Decodes consecutive little-endian `Bits` words of `data` (a trailing partial word is ignored).
    private func decode<Bits: FixedWidthInteger, Value>(_: Bits.Type, _ transform: (Bits) -> Value) -> [Value] {
        let width = MemoryLayout<Bits>.size
        let count = data.count / width
        return data.withUnsafeBytes { raw -> [Value] in
            var result = [Value]()
            result.reserveCapacity(count)
            for index in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: index * width, as: Bits.self)
                result.append(transform(Bits(littleEndian: bits)))
            }
            return result
        }
    }
}
