import Foundation
import XCTest
@testable import Ember

/// Write, read back, compare: for every dtype Ember writes, and the edge shapes.
final class SafeTensorsRoundTripTests: XCTestCase {
    private func roundTrip(_ entries: [SafeTensorsEntry], metadata: [String: String]? = nil) throws -> SafeTensorsArchive {
        try SafeTensorsFile.read(from: try SafeTensorsFile.serialize(entries: entries, metadata: metadata))
    }

    func testFloat32RoundTripIsExact() throws {
        let values: [Float] = [0, -0.0, 1, -1.5, .pi, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity, 0x1p-140]
        let archive = try roundTrip([SafeTensorsEntry(name: "x", shape: [2, 5], floats: values)])
        let entry = try XCTUnwrap(archive["x"])
        XCTAssertEqual(entry.dtype, .f32)
        XCTAssertEqual(entry.shape, [2, 5])
        XCTAssertEqual(try entry.floatValues().map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(try entry.doubleValues(), values.map(Double.init))
        // Little-endian bytes regardless of host: 1.0f = 00 00 80 3F.
        XCTAssertEqual(Array(entry.data[8..<12]), [0x00, 0x00, 0x80, 0x3F])
    }

    func testFloat32NaNKeepsItsBits() throws {
        let nan = Float(bitPattern: 0x7FC0_1234)
        let entry = try XCTUnwrap(try roundTrip([SafeTensorsEntry(name: "n", shape: [1], floats: [nan])])["n"])
        XCTAssertEqual(try entry.floatValues()[0].bitPattern, 0x7FC0_1234)
    }

    func testFloat64RoundTripIsExact() throws {
        let values: [Double] = [0.1, -2.5, 3e100, .leastNonzeroMagnitude, -.infinity, 1 / 3]
        let entry = try XCTUnwrap(try roundTrip([SafeTensorsEntry(name: "d", shape: [6], doubles: values)])["d"])
        XCTAssertEqual(entry.dtype, .f64)
        XCTAssertEqual(try entry.doubleValues(), values)
        XCTAssertEqual(try entry.floatValues(), values.map { Float($0) })
        // Floats stored as F64 are exact too.
        let fromFloats = try XCTUnwrap(try roundTrip([SafeTensorsEntry(name: "f", shape: [2], floats: [0.1, 3], dtype: .f64)])["f"])
        XCTAssertEqual(try fromFloats.floatValues(), [0.1, 3])
    }

    func testInt64RoundTripIsExact() throws {
        let values: [Int64] = [0, -1, .max, .min, 42]
        let entry = try XCTUnwrap(try roundTrip([SafeTensorsEntry(name: "i", shape: [5], integers: values)])["i"])
        XCTAssertEqual(entry.dtype, .i64)
        XCTAssertEqual(try entry.int64Values(), values)
        XCTAssertEqual(Array(entry.data[8..<16]), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    func testNarrowIntegerTypesReadAsInt64() throws {
        let cases: [(SafeTensorsDType, [Int64])] = [
            (.u8, [0, 1, 254, 255]), (.i8, [-128, -1, 0, 127]), (.i16, [-32768, 32767, -2, 5]),
            (.u16, [0, 65535, 1, 2]), (.i32, [-2_147_483_648, 2_147_483_647, -1, 0]),
            (.u32, [0, 4_294_967_295, 7, 8]), (.u64, [0, Int64.max, 1, 2]), (.bool, [1, 0, 1, 1]),
        ]
        for (dtype, values) in cases {
            let entry = try XCTUnwrap(try roundTrip([SafeTensorsEntry(name: "v", shape: [2, 2], integers: values, dtype: dtype)])["v"])
            XCTAssertEqual(entry.dtype, dtype)
            XCTAssertEqual(entry.data.count, 4 * dtype.byteSize!)
            XCTAssertEqual(try entry.int64Values(), values, "\(dtype)")
        }
    }

    func testUInt64AboveInt64MaxIsReportedNotTruncated() {
        let entry = SafeTensorsEntry(name: "big", dtype: .u64, shape: [2], data: [0, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0xFF, count: 8))
        XCTAssertThrowsError(try entry.int64Values()) { error in
            XCTAssertEqual(error as? SafeTensorsError, .valueOutOfRange(name: "big", index: 1, target: "Int64"))
        }
    }

    func testBoolReadsNonZeroBytesAsOne() throws {
        let entry = SafeTensorsEntry(name: "m", dtype: .bool, shape: [3], data: [0, 1, 7])
        XCTAssertEqual(try entry.int64Values(), [0, 1, 1])
    }

    func testFloat16AndBFloat16RoundTrip() throws {
        let values: [Float] = [1, -0.5, 65504, 0x1p-24, 0, -0.0, .infinity]
        let half = try XCTUnwrap(try roundTrip([SafeTensorsEntry(name: "h", shape: [7], floats: values, dtype: .f16)])["h"])
        XCTAssertEqual(half.dtype, .f16)
        XCTAssertEqual(half.data.count, 14)
        XCTAssertEqual(try half.floatValues().map(\.bitPattern), values.map(\.bitPattern))
        XCTAssertEqual(Array(half.data[0..<2]), [0x00, 0x3C])  // 1.0 = 0x3C00, little-endian

        let brainValues: [Float] = [1, -2, 3.140625, 0x1p-130, .infinity]
        let brain = try XCTUnwrap(try roundTrip([SafeTensorsEntry(name: "b", shape: [5], floats: brainValues, dtype: .bf16)])["b"])
        XCTAssertEqual(brain.dtype, .bf16)
        XCTAssertEqual(try brain.floatValues(), brainValues)
        XCTAssertEqual(try brain.doubleValues(), brainValues.map(Double.init))
        XCTAssertEqual(Array(brain.data[0..<6]), [0x80, 0x3F, 0x00, 0xC0, 0x49, 0x40])
    }

    func testEmptyAndZeroDimensionalTensors() throws {
        let entries = [
            SafeTensorsEntry(name: "scalar", shape: [], floats: [3.5]),
            SafeTensorsEntry(name: "step", shape: [], integers: [1000]),
            SafeTensorsEntry(name: "empty", shape: [0], floats: []),
            SafeTensorsEntry(name: "empty2d", shape: [2, 0, 3], doubles: []),
            SafeTensorsEntry(name: "emptyInt", shape: [0, 4], integers: []),
        ]
        let archive = try roundTrip(entries)
        XCTAssertEqual(archive.count, 5)
        XCTAssertEqual(archive["scalar"]?.shape, [])
        XCTAssertEqual(archive["scalar"]?.elementCount, 1)
        XCTAssertEqual(try archive["scalar"]?.floatValues(), [3.5])
        XCTAssertEqual(try archive["step"]?.int64Values(), [1000])
        XCTAssertEqual(archive["empty"]?.shape, [0])
        XCTAssertEqual(try archive["empty"]?.floatValues(), [])
        XCTAssertEqual(archive["empty2d"]?.shape, [2, 0, 3])
        XCTAssertEqual(archive["empty2d"]?.data, [])
        XCTAssertEqual(archive["emptyInt"]?.byteCount, 0)
        for entry in entries { XCTAssertEqual(archive[entry.name], entry) }
    }

    func testOnlyEmptyTensors() throws {
        let archive = try roundTrip([SafeTensorsEntry(name: "a", shape: [0], floats: []), SafeTensorsEntry(name: "b", shape: [0], floats: [])])
        XCTAssertEqual(archive.names.sorted(), ["a", "b"])
    }

    func testMetadataRoundTrip() throws {
        let metadata = ["step": "10", "epoch": "2", "optimizer": #"{"lr": 0.001, "betas": [0.9, 0.999]}"#, "unicode": "héllo ✓ 😀", "": "empty key"]
        let archive = try roundTrip([SafeTensorsEntry(name: "w", shape: [1], floats: [1])], metadata: metadata)
        XCTAssertEqual(archive.metadata, metadata)
        XCTAssertEqual(try roundTrip([]).metadata, [:])
        XCTAssertEqual(try roundTrip([], metadata: ["only": "metadata"]).metadata, ["only": "metadata"])
    }

    func testArchivePreservesHeaderOrderAndLooksUpByName() throws {
        // Hand-written header in non-sorted order: the archive keeps it.
        let header = #"{"z":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#
        let archive = try SafeTensorsFile.read(from: safeTensorsBytes(header: header, data: [10, 20]))
        XCTAssertEqual(archive.names, ["z", "a"])
        XCTAssertEqual(try archive["z"]?.int64Values(), [20])
        XCTAssertEqual(try archive["a"]?.int64Values(), [10])
        XCTAssertNil(archive["missing"])
        XCTAssertTrue(archive.contains("a"))
        XCTAssertFalse(archive.contains("__metadata__"))
    }

    func testReaderAcceptsWhitespaceNullMetadataAndUnknownFields() throws {
        let header = " {\n \"__metadata__\" : null ,\t\"w\" : { \"extra\": [1, {\"x\": true}], \"data_offsets\": [0, 4], \"shape\": [ 1 ], \"dtype\": \"F32\" } }   "
        let archive = try SafeTensorsFile.read(from: safeTensorsBytes(header: header, data: [0, 0, 0x80, 0x3F]))
        XCTAssertEqual(archive.metadata, [:])
        XCTAssertEqual(try archive["w"]?.floatValues(), [1])
    }

    func testReaderAcceptsEscapedNamesAndSurrogatePairs() throws {
        let header = #"{"caf\u00e9\ud83d\ude00\/\"":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}"#
        let archive = try SafeTensorsFile.read(from: safeTensorsBytes(header: header, data: [5]))
        XCTAssertEqual(archive.names, ["café😀/\""])
    }

    func testUnsupportedConversionsThrow() {
        let ints = SafeTensorsEntry(name: "i", shape: [1], integers: [1])
        XCTAssertThrowsError(try ints.floatValues()) { error in
            XCTAssertEqual(error as? SafeTensorsError, .unsupportedConversion(name: "i", dtype: .i64, target: "[Float]"))
            XCTAssertTrue("\(error)".contains("I64"))
        }
        XCTAssertThrowsError(try ints.doubleValues())
        XCTAssertThrowsError(try SafeTensorsEntry(name: "f", shape: [1], floats: [1]).int64Values())
        XCTAssertThrowsError(try SafeTensorsEntry(name: "q", dtype: .f8E4M3, shape: [1], data: [0]).floatValues())
    }

    func testReadFromFileOnDisk() throws {
        let directory = try makeCheckpointTestDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("x.safetensors")
        let entries = (0..<50).map { SafeTensorsEntry(name: "layer.\($0).weight", shape: [3, $0 % 4], floats: [Float](repeating: Float($0), count: 3 * ($0 % 4))) }
        try SafeTensorsFile.write(entries: entries, metadata: ["step": "1"], to: url)
        let archive = try SafeTensorsFile.read(from: url)
        XCTAssertEqual(archive.count, 50)
        for entry in entries { XCTAssertEqual(archive[entry.name], entry) }
    }

    func testLargeTensorRoundTrip() throws {
        let count = 1 << 20
        let values = (0..<count).map { Float($0) * 0.25 }
        let archive = try roundTrip([SafeTensorsEntry(name: "big", shape: [1024, 1024], floats: values)])
        XCTAssertEqual(try archive["big"]?.floatValues(), values)
    }
}
