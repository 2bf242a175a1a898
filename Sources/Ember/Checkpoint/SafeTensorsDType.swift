/// The element type of one tensor in a safetensors file, spelled as in the file header.
///
/// The raw value is the exact string the format uses (`"F32"`, `"BF16"`, `"F8_E4M3"`, ...), so
/// `SafeTensorsDType(rawValue: "F16")` parses a header entry and `.f16.rawValue` writes one.
/// Every name of the specification is recognised, including the 8-, 6- and 4-bit float formats
/// used by quantised models, so such files open and their raw bytes can be inspected; Ember's
/// numeric conversions cover the integer types, `F16`, `BF16`, `F32` and `F64`.
///
/// The case order of ``allCases`` follows the reference implementation's ordering (smallest
/// alignment first); the writer lays tensors out in the reverse of this order, as Python's
/// `safetensors` does, so files written by Ember are byte-identical to files written by Python.
public enum SafeTensorsDType: String, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// Boolean, one byte per element (0 or 1).
    case bool = "BOOL"
    /// 4-bit float (MXFP4, E2M1); two elements per byte.
    case f4 = "F4"
    /// 6-bit float (MXFP6, E2M3); four elements per three bytes.
    case f6E2M3 = "F6_E2M3"
    /// 6-bit float (MXFP6, E3M2); four elements per three bytes.
    case f6E3M2 = "F6_E3M2"
    /// Unsigned 8-bit integer.
    case u8 = "U8"
    /// Signed 8-bit integer.
    case i8 = "I8"
    /// 8-bit float with 5 exponent and 2 mantissa bits.
    case f8E5M2 = "F8_E5M2"
    /// 8-bit float with 4 exponent and 3 mantissa bits.
    case f8E4M3 = "F8_E4M3"
    /// 8-bit exponent-only scale format (MX block scales).
    case f8E8M0 = "F8_E8M0"
    /// 8-bit float E4M3, "finite, no negative zero" variant.
    case f8E4M3FNUZ = "F8_E4M3FNUZ"
    /// 8-bit float E5M2, "finite, no negative zero" variant.
    case f8E5M2FNUZ = "F8_E5M2FNUZ"
    /// Signed 16-bit integer.
    case i16 = "I16"
    /// Unsigned 16-bit integer.
    case u16 = "U16"
    /// IEEE 754 half precision float.
    case f16 = "F16"
    /// bfloat16 (the upper half of a Float32).
    case bf16 = "BF16"
    /// Signed 32-bit integer.
    case i32 = "I32"
    /// Unsigned 32-bit integer.
    case u32 = "U32"
    /// IEEE 754 single precision float (Ember's default tensor type).
    case f32 = "F32"
    /// Complex number made of two Float32 values (real, imaginary).
    case c64 = "C64"
    /// IEEE 754 double precision float.
    case f64 = "F64"
    /// Signed 64-bit integer (PyTorch's `int64`, used for counters such as `num_batches_tracked`).
    case i64 = "I64"
    /// Unsigned 64-bit integer.
    case u64 = "U64"

    /// The number of bits one element occupies: 8 for `U8`, 32 for `F32`, 4 for `F4`, 6 for `F6_*`.
    public var bitSize: Int {
        switch self {
        case .f4: return 4
        case .f6E2M3, .f6E3M2: return 6
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0, .f8E4M3FNUZ, .f8E5M2FNUZ: return 8
        case .i16, .u16, .f16, .bf16: return 16
        case .i32, .u32, .f32: return 32
        case .c64, .f64, .i64, .u64: return 64
        }
    }

    /// The number of bytes one element occupies, or `nil` for the sub-byte formats (`F4`, `F6_*`),
    /// whose elements are packed several to a byte.
    public var byteSize: Int? {
        let bits = bitSize
        return bits % 8 == 0 ? bits / 8 : nil
    }

    /// True for the formats whose elements are smaller than one byte (`F4`, `F6_E2M3`, `F6_E3M2`).
    public var isSubByte: Bool { bitSize % 8 != 0 }

    /// The position of this type in the reference implementation's ordering; the writer sorts
    /// tensors by this rank, largest first, then by name.
    var writeRank: Int {
        // `allCases` is declared in reference order, so the index is the rank.
        SafeTensorsDType.allCases.firstIndex(of: self) ?? 0
    }

    /// The header spelling, e.g. `F32`.
    public var description: String { rawValue }

    /// The number of bytes `elementCount` elements of this type occupy, or `nil` when that number
    /// overflows `Int` or, for the sub-byte formats, is not a whole number of bytes.
    public func byteCount(forElementCount elementCount: Int) -> Int? {
        guard elementCount >= 0 else { return nil }
        let (bits, overflow) = elementCount.multipliedReportingOverflow(by: bitSize)
        guard !overflow, bits % 8 == 0 else { return nil }
        return bits / 8
    }
}
