import XCTest
@testable import Ember

final class HalfPrecisionTests: XCTestCase {
    func testFloat16KnownValues() {
        let cases: [(Float, UInt16)] = [
            (0, 0x0000), (-0.0, 0x8000), (1, 0x3C00), (-2, 0xC000), (0.5, 0x3800), (65504, 0x7BFF),
            (0x1p-14, 0x0400), (0x1p-24, 0x0001), (0x1.ff8p-15, 0x03FF), (.infinity, 0x7C00), (-.infinity, 0xFC00),
            (0.1, 0x2E66), (1.0 / 3.0, 0x3555),
        ]
        for (value, bits) in cases {
            XCTAssertEqual(HalfPrecision.float16Bits(from: value), bits, "\(value)")
            XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: bits), Float(HalfPrecision.float(fromFloat16Bits: bits)))
        }
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x3C00), 1)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x0001), 0x1p-24)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x7BFF), 65504)
        XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: 0x8000).bitPattern, (-0.0 as Float).bitPattern)
    }

    func testFloat16Rounding() {
        XCTAssertEqual(HalfPrecision.float16Bits(from: 65519), 0x7BFF)  // just below the rounding threshold
        XCTAssertEqual(HalfPrecision.float16Bits(from: 65520), 0x7C00)  // ties to even -> overflow to infinity
        XCTAssertEqual(HalfPrecision.float16Bits(from: 1e10), 0x7C00)
        XCTAssertEqual(HalfPrecision.float16Bits(from: 0x1p-25), 0x0000)  // tie -> even (zero)
        XCTAssertEqual(HalfPrecision.float16Bits(from: 0x1.8p-25), 0x0001)
        XCTAssertEqual(HalfPrecision.float16Bits(from: 0x1.8p-24), 0x0002)  // 1.5 ulp -> tie -> even (2)
        XCTAssertEqual(HalfPrecision.float16Bits(from: 0x1p-30), 0x0000)
        XCTAssertEqual(HalfPrecision.float16Bits(from: -0x1p-30), 0x8000)
        XCTAssertEqual(HalfPrecision.float16Bits(from: .leastNonzeroMagnitude), 0x0000)
        XCTAssertEqual(HalfPrecision.float16Bits(from: 1 + 0x1p-11), 0x3C00)  // tie -> even
        XCTAssertEqual(HalfPrecision.float16Bits(from: 1 + 0x1.8p-10), 0x3C02)  // tie -> even (up)
        XCTAssertEqual(HalfPrecision.float16Bits(from: 0x1.ffcp-15), 0x0400)  // subnormal rounds up into the smallest normal
    }

    func testFloat16NaNStaysNaN() {
        for bits: UInt32 in [0x7FC0_0000, 0x7F80_0001, 0xFFC0_0000, 0x7FBF_FFFF] {
            let half = HalfPrecision.float16Bits(from: Float(bitPattern: bits))
            XCTAssertTrue(HalfPrecision.float(fromFloat16Bits: half).isNaN, String(bits, radix: 16))
            XCTAssertEqual(half & 0x8000, UInt16(bits >> 16) & 0x8000)
        }
    }

    func testEveryFloat16BitPatternRoundTrips() {
        for bits in 0...UInt16.max {
            let value = HalfPrecision.float(fromFloat16Bits: bits)
            if value.isNaN {
                XCTAssertTrue(HalfPrecision.float(fromFloat16Bits: HalfPrecision.float16Bits(from: value)).isNaN)
            } else {
                XCTAssertEqual(HalfPrecision.float16Bits(from: value), bits)
            }
        }
    }

    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    /// Cross-check the bit manipulation against the platform's native Float16 conversion.
    func testFloat16MatchesNativeConversion() {
        for bits in 0...UInt16.max {
            let native = Float(Float16(bitPattern: bits))
            if native.isNaN {
                // Hardware conversion quiets signalling NaNs; ours keeps the payload. Both are NaN.
                XCTAssertTrue(HalfPrecision.float(fromFloat16Bits: bits).isNaN)
            } else {
                XCTAssertEqual(HalfPrecision.float(fromFloat16Bits: bits).bitPattern, native.bitPattern)
            }
        }
        var generator = CheckpointFuzzRandom(seed: 7)
        for _ in 0..<200_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            guard !value.isNaN else { continue }
            XCTAssertEqual(HalfPrecision.float16Bits(from: value), Float16(value).bitPattern, "\(value)")
        }
        // Dense sweep of the subnormal and small-normal range, where rounding is trickiest.
        for raw in stride(from: UInt32(0x3280_0000), to: 0x3900_0000, by: 97) {
            let value = Float(bitPattern: raw)
            XCTAssertEqual(HalfPrecision.float16Bits(from: value), Float16(value).bitPattern, "\(value)")
        }
    }
    #endif

    func testBFloat16() {
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1), 0x3F80)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: -2), 0xC000)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 3.140625), 0x4049)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1 + 0x1p-8), 0x3F80)  // tie -> even (down)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1 + 0x1.8p-7), 0x3F82)  // tie -> even (up)
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: 1 + 0x1.02p-8), 0x3F81)  // above the tie
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: .greatestFiniteMagnitude), 0x7F80)  // rounds to infinity
        XCTAssertEqual(HalfPrecision.bfloat16Bits(from: -.infinity), 0xFF80)
        XCTAssertTrue(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: Float(bitPattern: 0x7F80_0001))).isNaN)
        XCTAssertEqual(HalfPrecision.float(fromBFloat16Bits: 0x4049), 3.140625)
        for bits in 0...UInt16.max {
            let value = HalfPrecision.float(fromBFloat16Bits: bits)
            if value.isNaN {
                XCTAssertTrue(HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: value)).isNaN)
            } else {
                XCTAssertEqual(HalfPrecision.bfloat16Bits(from: value), bits)
            }
        }
    }
}
