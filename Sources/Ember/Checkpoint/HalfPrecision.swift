/// Bit-exact conversions between `Float` and the two 16-bit float formats found in checkpoints:
/// IEEE 754 half precision (`F16`) and bfloat16 (`BF16`).
///
/// The conversions work on raw bit patterns (`UInt16`), so they behave the same on every host,
/// whether or not the platform has a native `Float16` type.
///
/// - Widening (`float(fromFloat16Bits:)`, `float(fromBFloat16Bits:)`) is exact: every 16-bit
///   value, including subnormals, infinities and NaN payloads, has an exact `Float` value.
/// - Narrowing (`float16Bits(from:)`, `bfloat16Bits(from:)`) rounds to nearest, ties to even,
///   as PyTorch's `.half()` / `.bfloat16()` do. Values too large for the format become infinity,
///   values too small become (signed) zero or a subnormal, and NaN stays a quiet NaN.
public enum HalfPrecision {
    /// The `Float` value of an IEEE 754 half precision bit pattern (exact).
    ///
    /// ```swift
    /// HalfPrecision.float(fromFloat16Bits: 0x3C00)  // 1.0
    /// HalfPrecision.float(fromFloat16Bits: 0x0001)  // 5.96e-8, the smallest subnormal
    /// ```
    public static func float(fromFloat16Bits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x03FF)
        if exponent == 0x1F {
            // Infinity or NaN: keep the payload in the top mantissa bits.
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal half: value = mantissa * 2^-24, exactly representable as a Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// The IEEE 754 half precision bit pattern nearest to `value` (round to nearest, ties to even).
    ///
    /// Magnitudes of 65520 and above become infinity; NaN becomes a quiet NaN with the same sign.
    public static func float16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x007F_FFFF

        if exponent == 0xFF {
            if mantissa == 0 { return sign | 0x7C00 }  // infinity
            // NaN: keep the top payload bits and force the quiet bit so it stays a NaN.
            return sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        // Unbiased exponent; half normals cover -14...15.
        let unbiased = exponent - 127
        if unbiased > 15 { return sign | 0x7C00 }
        if unbiased >= -14 {
            // Normal half: 10 mantissa bits, round the 13 dropped bits to nearest even.
            var halfExponent = UInt32(unbiased + 15)
            var halfMantissa = mantissa >> 13
            let dropped = mantissa & 0x1FFF
            if dropped > 0x1000 || (dropped == 0x1000 && (halfMantissa & 1) == 1) {
                halfMantissa += 1
                if halfMantissa == 0x400 {
                    halfMantissa = 0
                    halfExponent += 1
                    if halfExponent == 0x1F { return sign | 0x7C00 }
                }
            }
            return sign | UInt16(halfExponent << 10) | UInt16(halfMantissa)
        }
        // Subnormal half (or zero): value = m * 2^-24 with m in 0..<1024.
        // Shifting needs the implicit leading bit; Float subnormals are far below half range.
        if exponent == 0 { return sign }
        let shift = -14 - unbiased + 13  // bits to drop from the 24-bit significand
        if shift > 24 { return sign }      // below half of the smallest subnormal: rounds to zero
        let significand = mantissa | 0x0080_0000
        var halfMantissa = significand >> UInt32(shift)
        let droppedMask: UInt32 = (1 << UInt32(shift)) - 1
        let dropped = significand & droppedMask
        let halfway: UInt32 = 1 << UInt32(shift - 1)
        if dropped > halfway || (dropped == halfway && (halfMantissa & 1) == 1) {
            halfMantissa += 1  // may carry into the smallest normal, which is still correct
        }
        return sign | UInt16(halfMantissa)
    }

    /// The `Float` value of a bfloat16 bit pattern (exact: bfloat16 is the top half of a Float).
    public static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// The bfloat16 bit pattern nearest to `value` (round to nearest, ties to even).
    ///
    /// NaN becomes a quiet NaN with the same sign; values beyond the bfloat16 range become infinity.
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN {
            return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        }
        let lsb = (bits >> 16) & 1
        let rounded = bits &+ 0x7FFF &+ lsb
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }
}
