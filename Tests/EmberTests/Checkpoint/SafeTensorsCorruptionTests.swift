import Foundation
import XCTest
@testable import Ember

/// Every way a safetensors file can be broken must give its own error, never a crash.
final class SafeTensorsCorruptionTests: XCTestCase {
    private let f32x2 = #"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#

    // MARK: - Prefix and header length

    func testFileShorterThanEightBytes() {
        XCTAssertEqual(formatProblem(of: Data()), .fileTooShort(byteCount: 0))
        XCTAssertEqual(formatProblem(of: Data([8, 0, 0, 0, 0, 0, 0])), .fileTooShort(byteCount: 7))
    }

    func testHeaderLengthAboveLimit() {
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: "{}", declaredLength: 100_000_001)),
                       .headerTooLarge(declaredLength: 100_000_001))
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: "{}", declaredLength: UInt64.max)),
                       .headerTooLarge(declaredLength: UInt64.max))
    }

    func testHeaderLengthPastEndOfFile() {
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: "{}", declaredLength: 100)),
                       .headerPastEnd(declaredLength: 100, availableBytes: 2))
        XCTAssertEqual(formatProblem(of: Data([1, 0, 0, 0, 0, 0, 0, 0])), .headerPastEnd(declaredLength: 1, availableBytes: 0))
    }

    func testZeroLengthHeaderIsInvalidJSON() {
        guard case .invalidJSON = formatProblem(of: safeTensorsBytes(header: "")) else { return XCTFail() }
    }

    // MARK: - Header text

    func testHeaderNotUTF8() {
        let bytes: [UInt8] = Array(#"{"w"#.utf8) + [0xFF, 0xFE] + Array(#"":{}}"#.utf8)
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(headerBytes: bytes)), .headerNotUTF8)
        // A truncated multi-byte sequence too.
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(headerBytes: Array("{}".utf8) + [0xE2, 0x9C])), .headerNotUTF8)
    }

    func testBrokenJSON() {
        let broken = [
            #"{"w":"#, #"{"w":{"dtype":"F32""#, "{", "}", #"{"a" 1}"#, #"{"a":1,}"#, #"{,}"#, #"{"a":tru}"#,
            #"{"a":01}"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":1e}"#, "{\"a\u{01}\":1}", #"{"a":"\x"}"#, #"{"a":"\u12"}"#,
            #"{"a":[1 2]}"#, #"{a:1}"#, #"{} {}"#, #"{}x"#, "{'a':1}", #"{"a":NaN}"#, "\u{FEFF}{}",
        ]
        for header in broken {
            guard case .invalidJSON(let offset, let reason)? = formatProblem(of: safeTensorsBytes(header: header)) else {
                XCTFail("expected invalidJSON for \(header)")
                continue
            }
            XCTAssertGreaterThanOrEqual(offset, 0)
            XCTAssertFalse(reason.isEmpty)
        }
    }

    func testDeepNestingDoesNotOverflowTheStack() {
        let header = #"{"a":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        guard case .invalidJSON(_, let reason)? = formatProblem(of: safeTensorsBytes(header: header)) else { return XCTFail() }
        XCTAssertTrue(reason.contains("nesting"), reason)
    }

    func testHeaderNotAnObject() {
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: "[]      ")), .headerNotObject(found: "an array"))
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: #""w""#)), .headerNotObject(found: "a string"))
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: "42")), .headerNotObject(found: "the number 42"))
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: "null")), .headerNotObject(found: "null"))
    }

    // MARK: - Duplicate keys (JSONSerialization would silently keep one)

    func testDuplicateTensorNames() {
        let header = #"{"w":\#(f32x2),"w":\#(f32x2)}"#
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 8))),
                       .duplicateKey(key: "w", context: "the header"))
    }

    func testDuplicateNamesSpelledDifferentlyInJSON() {
        // "\u0077" is "w": the same key after unescaping.
        let header = #"{"w":\#(f32x2),"\u0077":\#(f32x2)}"#
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 8))),
                       .duplicateKey(key: "w", context: "the header"))
    }

    func testDuplicateMetadataSection() {
        let header = #"{"__metadata__":{"a":"1"},"__metadata__":{"a":"2"}}"#
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: header)), .duplicateKey(key: "__metadata__", context: "the header"))
    }

    func testDuplicateKeyInsideMetadataAndTensorInfo() {
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: #"{"__metadata__":{"a":"1","a":"2"}}"#)),
                       .duplicateKey(key: "a", context: "__metadata__"))
        let header = #"{"w":{"dtype":"F32","dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 8))),
                       .duplicateKey(key: "dtype", context: "tensor \"w\""))
    }

    // MARK: - Metadata

    func testMetadataNotAStringMap() {
        guard case .invalidMetadata(let reason)? = formatProblem(of: safeTensorsBytes(header: #"{"__metadata__":{"step":10}}"#)) else { return XCTFail() }
        XCTAssertTrue(reason.contains("step"), reason)
        guard case .invalidMetadata? = formatProblem(of: safeTensorsBytes(header: #"{"__metadata__":["a"]}"#)) else { return XCTFail() }
        guard case .invalidMetadata? = formatProblem(of: safeTensorsBytes(header: #"{"__metadata__":"a"}"#)) else { return XCTFail() }
        guard case .invalidMetadata? = formatProblem(of: safeTensorsBytes(header: #"{"__metadata__":{"a":null}}"#)) else { return XCTFail() }
        guard case .invalidMetadata? = formatProblem(of: safeTensorsBytes(header: #"{"__metadata__":{"a":{"b":"c"}}}"#)) else { return XCTFail() }
    }

    // MARK: - Names

    func testNamesThatAreNotValidUnicode() {
        for escape in [#"\ud800"#, #"\udc00"#, #"\ud800\u0041"#, #"\ud800x"#, #"\udbff\udbff"#] {
            let header = #"{"w\#(escape)":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}"#
            guard case .invalidUnicodeEscape(let offset)? = formatProblem(of: safeTensorsBytes(header: header, data: [0])) else {
                XCTFail("expected invalidUnicodeEscape for \(escape)")
                continue
            }
            XCTAssertEqual(offset, 3)
        }
    }

    // MARK: - Tensor descriptions

    private func tensorProblem(_ info: String, data: [UInt8] = []) -> SafeTensorsFormatProblem? {
        formatProblem(of: safeTensorsBytes(header: #"{"w":\#(info)}"#, data: data))
    }

    func testTensorInfoNotAnObject() {
        guard case .invalidTensorInfo(let tensor, _)? = tensorProblem("[1,2]") else { return XCTFail() }
        XCTAssertEqual(tensor, "w")
        guard case .invalidTensorInfo? = tensorProblem(#""F32""#) else { return XCTFail() }
    }

    func testMissingFields() {
        XCTAssertEqual(tensorProblem(#"{"shape":[2],"data_offsets":[0,8]}"#, data: [UInt8](repeating: 0, count: 8)),
                       .invalidTensorInfo(tensor: "w", reason: "missing \"dtype\""))
        XCTAssertEqual(tensorProblem(#"{"dtype":"F32","data_offsets":[0,8]}"#, data: [UInt8](repeating: 0, count: 8)),
                       .invalidTensorInfo(tensor: "w", reason: "missing \"shape\""))
        XCTAssertEqual(tensorProblem(#"{"dtype":"F32","shape":[2]}"#, data: [UInt8](repeating: 0, count: 8)),
                       .invalidTensorInfo(tensor: "w", reason: "missing \"data_offsets\""))
    }

    func testFieldsOfTheWrongType() {
        guard case .invalidTensorInfo(_, let r1)? = tensorProblem(#"{"dtype":32,"shape":[2],"data_offsets":[0,8]}"#) else { return XCTFail() }
        XCTAssertTrue(r1.contains("dtype"), r1)
        guard case .invalidTensorInfo(_, let r2)? = tensorProblem(#"{"dtype":"F32","shape":"2","data_offsets":[0,8]}"#) else { return XCTFail() }
        XCTAssertTrue(r2.contains("shape"), r2)
        guard case .invalidOffsets? = tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":{"begin":0}}"#) else { return XCTFail() }
        guard case .invalidOffsets? = tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":[0]}"#) else { return XCTFail() }
        guard case .invalidOffsets? = tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8,16]}"#) else { return XCTFail() }
        guard case .invalidOffsets? = tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":["0","8"]}"#) else { return XCTFail() }
        guard case .invalidOffsets? = tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":[0.0,8]}"#) else { return XCTFail() }
        guard case .invalidOffsets? = tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}"#) else { return XCTFail() }
        guard case .invalidOffsets? = tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999]}"#) else { return XCTFail() }
    }

    func testUnknownDType() {
        XCTAssertEqual(tensorProblem(#"{"dtype":"F128","shape":[2],"data_offsets":[0,8]}"#),
                       .unknownDType(tensor: "w", dtype: "F128"))
        // Names are case-sensitive, as in the reference implementation.
        XCTAssertEqual(tensorProblem(#"{"dtype":"f32","shape":[2],"data_offsets":[0,8]}"#),
                       .unknownDType(tensor: "w", dtype: "f32"))
    }

    func testNegativeAndNonIntegerShapes() {
        guard case .invalidShape(_, let r1)? = tensorProblem(#"{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}"#) else { return XCTFail() }
        XCTAssertTrue(r1.contains("negative"), r1)
        guard case .invalidShape? = tensorProblem(#"{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}"#) else { return XCTFail() }
        guard case .invalidShape? = tensorProblem(#"{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}"#) else { return XCTFail() }
        guard case .invalidShape? = tensorProblem(#"{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}"#) else { return XCTFail() }
        guard case .invalidShape? = tensorProblem(#"{"dtype":"F32","shape":[[2]],"data_offsets":[0,8]}"#) else { return XCTFail() }
        guard case .invalidShape(_, let r2)? = tensorProblem(#"{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,8]}"#) else { return XCTFail() }
        XCTAssertTrue(r2.contains("64-bit"), r2)
    }

    func testElementCountOverflow() {
        XCTAssertEqual(tensorProblem(#"{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}"#, data: [UInt8](repeating: 0, count: 8)),
                       .elementCountOverflow(tensor: "w", shape: [4_294_967_296, 4_294_967_296]))
        // The element count fits but the byte count does not.
        XCTAssertEqual(tensorProblem(#"{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}"#, data: [UInt8](repeating: 0, count: 8)),
                       .elementCountOverflow(tensor: "w", shape: [2_305_843_009_213_693_952]))
        // A zero anywhere makes the tensor empty, however large the other dimensions.
        XCTAssertNoThrow(try SafeTensorsFile.read(from: safeTensorsBytes(header: #"{"w":{"dtype":"F32","shape":[9223372036854775807,0,9223372036854775807],"data_offsets":[0,0]}}"#)))
    }

    func testSubByteTensorThatDoesNotFillWholeBytes() {
        XCTAssertEqual(tensorProblem(#"{"dtype":"F4","shape":[3],"data_offsets":[0,1]}"#, data: [0]),
                       .misalignedSubByteTensor(tensor: "w", dtype: .f4, shape: [3]))
        // Four F6 values are exactly three bytes.
        XCTAssertNoThrow(try SafeTensorsFile.read(from: safeTensorsBytes(header: #"{"w":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[0,3]}}"#, data: [1, 2, 3])))
    }

    // MARK: - Offsets

    func testOffsetsOutOfRange() {
        XCTAssertEqual(tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, data: [0, 0, 0, 0]),
                       .offsetsOutOfRange(tensor: "w", begin: 0, end: 8, dataSize: 4))
        XCTAssertEqual(tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":[9223372036854775800,9223372036854775807]}"#),
                       .offsetsOutOfRange(tensor: "w", begin: 9_223_372_036_854_775_800, end: 9_223_372_036_854_775_807, dataSize: 0))
    }

    func testBeginAfterEnd() {
        XCTAssertEqual(tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":[8,0]}"#, data: [UInt8](repeating: 0, count: 8)),
                       .offsetsReversed(tensor: "w", begin: 8, end: 0))
    }

    func testByteCountDoesNotMatchShape() {
        XCTAssertEqual(tensorProblem(#"{"dtype":"F32","shape":[2,2],"data_offsets":[0,15]}"#, data: [UInt8](repeating: 0, count: 15)),
                       .byteCountMismatch(tensor: "w", dtype: .f32, shape: [2, 2], expected: 16, actual: 15))
        XCTAssertEqual(tensorProblem(#"{"dtype":"F64","shape":[],"data_offsets":[0,4]}"#, data: [UInt8](repeating: 0, count: 4)),
                       .byteCountMismatch(tensor: "w", dtype: .f64, shape: [], expected: 8, actual: 4))
    }

    func testOverlappingTensors() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 12))),
                       .offsetsOverlap(tensor: "b", previous: "a", begin: 4, previousEnd: 8))
        // Two tensors sharing the same bytes (aliasing) are an overlap too.
        let aliased = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        guard case .offsetsOverlap? = formatProblem(of: safeTensorsBytes(header: aliased, data: [UInt8](repeating: 0, count: 8))) else { return XCTFail() }
    }

    func testGapBetweenTensors() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}"#
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: header, data: [UInt8](repeating: 0, count: 20))),
                       .offsetsGap(tensor: "b", expectedBegin: 8, begin: 12))
    }

    func testFirstTensorDoesNotStartAtZero() {
        XCTAssertEqual(tensorProblem(#"{"dtype":"F32","shape":[2],"data_offsets":[4,12]}"#, data: [UInt8](repeating: 0, count: 12)),
                       .offsetsGap(tensor: "w", expectedBegin: 0, begin: 4))
    }

    func testTrailingBytesAfterLastTensor() {
        XCTAssertEqual(tensorProblem(f32x2, data: [UInt8](repeating: 0, count: 9)), .trailingBytes(count: 1))
        XCTAssertEqual(formatProblem(of: safeTensorsBytes(header: "{}", data: [1, 2, 3])), .trailingBytes(count: 3))
        // A valid file with one extra byte appended.
        var file = try! SafeTensorsFile.serialize(entries: [SafeTensorsEntry(name: "w", shape: [1], floats: [1])])
        file.append(0)
        XCTAssertEqual(formatProblem(of: file), .trailingBytes(count: 1))
    }

    func testTruncatedFile() throws {
        let file = try SafeTensorsFile.serialize(entries: [SafeTensorsEntry(name: "w", shape: [4], floats: [1, 2, 3, 4])])
        guard case .offsetsOutOfRange? = formatProblem(of: file.dropLast(1)) else { return XCTFail() }
    }

    // MARK: - Files on disk

    func testMissingFileAndDirectoryAreIOErrors() throws {
        let directory = try makeCheckpointTestDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile.read(from: missing)) { error in
            guard case .io(let path, let reason)? = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, missing.path)
            XCTAssertTrue(reason.contains("No such file"), reason)
        }
        XCTAssertThrowsError(try SafeTensorsFile.read(from: directory)) { error in
            guard case .io? = error as? SafeTensorsError else { return XCTFail("\(error)") }
        }
    }

    func testCorruptFileOnDiskNamesThePath() throws {
        let directory = try makeCheckpointTestDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bad.safetensors")
        try safeTensorsBytes(header: "{}", data: [1]).write(to: url)
        XCTAssertThrowsError(try SafeTensorsFile.read(from: url)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .malformed(path: url.path, problem: .trailingBytes(count: 1)))
            XCTAssertEqual("\(error)", "safetensors file '\(url.path)' is invalid: 1 byte follows the last tensor's data")
            XCTAssertEqual(error.localizedDescription, "\(error)")
        }
        try Data([1, 2, 3]).write(to: url)
        XCTAssertThrowsError(try SafeTensorsFile.read(from: url)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .malformed(path: url.path, problem: .fileTooShort(byteCount: 3)))
        }
    }

    // MARK: - Fuzzing: no input may crash the reader

    func testEveryTruncationAndSingleByteCorruptionIsHandled() throws {
        let file = checkpointTestBytes(try SafeTensorsFile.serialize(
            entries: [SafeTensorsEntry(name: "w", shape: [2, 2], floats: [1, 2, 3, 4]),
                      SafeTensorsEntry(name: "b", shape: [3], floats: [0, 0, 0], dtype: .f16),
                      SafeTensorsEntry(name: "n", shape: [], integers: [9])],
            metadata: ["step": "10"]))
        for length in 0..<file.count {
            XCTAssertThrowsError(try SafeTensorsFile.read(from: Data(file.prefix(length))), "truncated to \(length)")
        }
        var loaded = 0
        for index in file.indices {
            for replacement: UInt8 in [0x00, 0x01, 0x20, 0x22, 0x2C, 0x30, 0x39, 0x5B, 0x5D, 0x7B, 0x7D, 0x80, 0xFF, file[index] ^ 0x01] {
                var mutated = file
                mutated[index] = replacement
                // Either a valid archive or a typed error; anything else (a trap) fails the run.
                do {
                    _ = try SafeTensorsFile.read(from: Data(mutated))
                    loaded += 1
                } catch {
                    XCTAssertFalse(error.description.isEmpty)
                }
            }
        }
        XCTAssertGreaterThan(loaded, 0)  // data-section changes still load
    }

    func testRandomHeadersAreHandled() {
        var generator = CheckpointFuzzRandom(seed: 42)
        let alphabet = Array(#"{}[]":,0123456789-.eE truefalsnl\u"#.utf8) + [0x80, 0xC3, 0xA9]
        for _ in 0..<3000 {
            let length = Int(generator.next() % 48)
            let header = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            let data = [UInt8](repeating: 0, count: Int(generator.next() % 16))
            _ = try? SafeTensorsFile.read(from: safeTensorsBytes(headerBytes: header, data: data))
        }
    }
}

/// A tiny deterministic random generator for the fuzz tests.
struct CheckpointFuzzRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
