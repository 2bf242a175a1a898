import Foundation
import XCTest
@testable import Ember

/// The writer must reproduce the reference implementation's bytes exactly.
final class SafeTensorsWriterTests: XCTestCase {
    private func header(of data: Data) -> String {
        let bytes = checkpointTestBytes(data)
        let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        return String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
    }

    private func lengthPrefix(of data: Data) -> UInt64 {
        checkpointTestBytes(data).prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    /// REFERENCE-FACTS 1.7: `save({"w": zeros(2,2) f32})` -> N = 64, 88 bytes.
    func testByteExactSingleFloat32Tensor() throws {
        let w = SafeTensorsEntry(name: "w", shape: [2, 2], floats: [0, 0, 0, 0])
        let data = try SafeTensorsFile.serialize(entries: [w])
        XCTAssertEqual(data.count, 88)
        XCTAssertEqual(lengthPrefix(of: data), 64)
        XCTAssertEqual(header(of: data), #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"# + String(repeating: " ", count: 7))
        XCTAssertEqual(Array(checkpointTestBytes(data)[72...]), [UInt8](repeating: 0, count: 16))
    }

    /// REFERENCE-FACTS 1.7: metadata {"step": "10"}, w F32[2,2], b F16[3] -> N = 144, 174 bytes.
    func testByteExactMetadataAndFloat16() throws {
        let w = SafeTensorsEntry(name: "w", shape: [2, 2], floats: [0, 0, 0, 0])
        let b = SafeTensorsEntry(name: "b", shape: [3], floats: [0, 0, 0], dtype: .f16)
        let data = try SafeTensorsFile.serialize(entries: [b, w], metadata: ["step": "10"])
        XCTAssertEqual(data.count, 174)
        XCTAssertEqual(lengthPrefix(of: data), 144)
        let expected = #"{"__metadata__":{"step":"10"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]}}"#
            + String(repeating: " ", count: 3)
        XCTAssertEqual(header(of: data), expected)
    }

    /// Vectors from the reference implementation's own tests (`safetensors/src/tensor.rs`).
    func testByteExactReferenceVectors() throws {
        // Empty file: "{}" padded to 8 bytes.
        XCTAssertEqual(checkpointTestBytes(try SafeTensorsFile.serialize(entries: [])),
                       [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32])
        // Empty file with metadata.
        let withMetadata = try SafeTensorsFile.serialize(entries: [], metadata: ["framework": "pt"])
        XCTAssertEqual(checkpointTestBytes(withMetadata), [40, 0, 0, 0, 0, 0, 0, 0] + Array(#"{"__metadata__":{"framework":"pt"}}"#.utf8) + [32, 32, 32, 32, 32])
        // "attn0": F32 [1, 1, 2, 3] = 0...5, header padded with 7 spaces to N = 72.
        let attn = SafeTensorsEntry(name: "attn0", shape: [1, 1, 2, 3], floats: [0, 1, 2, 3, 4, 5])
        let data = checkpointTestBytes(try SafeTensorsFile.serialize(entries: [attn]))
        XCTAssertEqual(Array(data.prefix(8)), [72, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(data.suffix(24)), [0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64])
        XCTAssertEqual(data.count, 8 + 72 + 24)
    }

    /// Observed from Python safetensors 0.8: tensors sorted by dtype rank (not only alignment)
    /// descending, then by name.
    func testWriteOrderMatchesReferenceWriter() throws {
        let entries = [
            SafeTensorsEntry(name: "b", shape: [1], integers: [1], dtype: .i32),
            SafeTensorsEntry(name: "a", shape: [1], floats: [1]),
            SafeTensorsEntry(name: "c", shape: [1], integers: [1], dtype: .u32),
            SafeTensorsEntry(name: "z", shape: [1], integers: [1], dtype: .u8),
            SafeTensorsEntry(name: "y", shape: [1], doubles: [1]),
        ]
        let text = header(of: try SafeTensorsFile.serialize(entries: entries))
        let order = ["\"y\"", "\"a\"", "\"c\"", "\"b\"", "\"z\""].map { text.range(of: $0)!.lowerBound }
        XCTAssertEqual(order, order.sorted())

        // Full rank order as produced by Python safetensors 0.8 for one tensor of each type.
        let expectedDescending: [SafeTensorsDType] = [.u64, .i64, .f64, .c64, .f32, .u32, .i32, .bf16, .f16, .u16, .i16,
                                                      .f8E5M2FNUZ, .f8E4M3FNUZ, .f8E8M0, .f8E4M3, .f8E5M2, .i8, .u8, .f4, .bool]
        let sample = expectedDescending.reversed().map { SafeTensorsEntry(name: "t", dtype: $0, shape: [], data: []) }
        XCTAssertEqual(SafeTensorsHeader.writeOrder(sample).map(\.dtype), expectedDescending)
    }

    func testNamesSortByteWiseNotByUnicodeCollation() throws {
        // "Z" (0x5A) < "a" (0x61) < "é" (0xC3 0xA9) byte-wise.
        let entries = ["é", "a", "Z"].map { SafeTensorsEntry(name: $0, shape: [], floats: [1]) }
        XCTAssertEqual(SafeTensorsHeader.writeOrder(entries).map(\.name), ["Z", "a", "é"])
    }

    func testStringEscapingMatchesSerdeJSON() throws {
        let name = "q\"b\\s/\u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F}é✓😀"
        let entry = SafeTensorsEntry(name: name, shape: [], floats: [1])
        let text = header(of: try SafeTensorsFile.serialize(entries: [entry], metadata: ["k\"": "v\n"]))
        XCTAssertTrue(text.hasPrefix(#"{"__metadata__":{"k\"":"v\n"},"q\"b\\s/\b\f\n\r\t\u0001\u001f"# + "\u{7F}é✓😀\""), text)
        // And it reads back unchanged.
        let archive = try SafeTensorsFile.read(from: try SafeTensorsFile.serialize(entries: [entry], metadata: ["k\"": "v\n"]))
        XCTAssertEqual(archive.names, [name])
        XCTAssertEqual(archive.metadata, ["k\"": "v\n"])
    }

    func testMetadataKeysAreSortedAndNilOmitsTheKey() throws {
        let entry = SafeTensorsEntry(name: "w", shape: [1], floats: [1])
        let sorted = header(of: try SafeTensorsFile.serialize(entries: [entry], metadata: ["b": "2", "a": "1", "c": "3"]))
        XCTAssertTrue(sorted.hasPrefix(#"{"__metadata__":{"a":"1","b":"2","c":"3"},"w""#), sorted)
        let none = header(of: try SafeTensorsFile.serialize(entries: [entry], metadata: nil))
        XCTAssertFalse(none.contains("__metadata__"))
        let empty = header(of: try SafeTensorsFile.serialize(entries: [entry], metadata: [:]))
        XCTAssertTrue(empty.hasPrefix(#"{"__metadata__":{},"w""#), empty)
    }

    func testHeaderIsPaddedToMultipleOfEight() throws {
        for length in 1...20 {
            let entry = SafeTensorsEntry(name: String(repeating: "n", count: length), shape: [1], floats: [1])
            let data = try SafeTensorsFile.serialize(entries: [entry])
            XCTAssertEqual(lengthPrefix(of: data) % 8, 0)
            XCTAssertEqual(data.count, 8 + Int(lengthPrefix(of: data)) + 4)
        }
    }

    func testWriterRejectsInconsistentEntries() {
        func reason(_ entries: [SafeTensorsEntry]) -> (String, String)? {
            do {
                _ = try SafeTensorsFile.serialize(entries: entries)
                XCTFail("expected invalidEntry")
                return nil
            } catch {
                guard case .invalidEntry(_, let name, let reason) = error else {
                    XCTFail("expected invalidEntry, got \(error)")
                    return nil
                }
                return (name, reason)
            }
        }
        let good = SafeTensorsEntry(name: "w", shape: [2], floats: [1, 2])
        XCTAssertEqual(reason([SafeTensorsEntry(name: "w", dtype: .f32, shape: [2], data: [0, 0, 0])])?.0, "w")
        XCTAssertEqual(reason([good, good])?.1, "two entries have this name")
        XCTAssertEqual(reason([SafeTensorsEntry(name: "__metadata__", shape: [], floats: [1])])?.0, "__metadata__")
        XCTAssertNotNil(reason([SafeTensorsEntry(name: "neg", dtype: .f32, shape: [-1], data: [])]))
        XCTAssertNotNil(reason([SafeTensorsEntry(name: "huge", dtype: .f32, shape: [Int.max, 2], data: [])]))
        XCTAssertNotNil(reason([SafeTensorsEntry(name: "f4", dtype: .f4, shape: [3], data: [0, 0])]))
        // A valid sub-byte tensor is fine: 4 F4 values = 2 bytes.
        XCTAssertNoThrow(try SafeTensorsFile.serialize(entries: [SafeTensorsEntry(name: "f4", dtype: .f4, shape: [4], data: [0, 0])]))
    }

    func testWriteValidationHappensBeforeTouchingTheDisk() throws {
        let directory = try makeCheckpointTestDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try SafeTensorsFile.write(entries: [SafeTensorsEntry(name: "w", shape: [1], floats: [7])], to: url)
        let before = try Data(contentsOf: url)
        XCTAssertThrowsError(try SafeTensorsFile.write(entries: [SafeTensorsEntry(name: "w", dtype: .f32, shape: [2], data: [1])], to: url)) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try checkpointTestListing(directory), ["model.safetensors"])
    }

    func testWriteToFileMatchesSerialize() throws {
        let directory = try makeCheckpointTestDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("m.safetensors")
        let entries = [SafeTensorsEntry(name: "w", shape: [2, 2], floats: [1, 2, 3, 4]),
                       SafeTensorsEntry(name: "step", shape: [], integers: [3])]
        try SafeTensorsFile.write(entries: entries, metadata: ["epoch": "1"], to: url)
        XCTAssertEqual(try Data(contentsOf: url), try SafeTensorsFile.serialize(entries: entries, metadata: ["epoch": "1"]))
        let archive = try SafeTensorsFile.read(from: url)
        try SafeTensorsFile.write(archive, to: url)
        XCTAssertEqual(try SafeTensorsFile.read(from: url), archive)
    }
}
