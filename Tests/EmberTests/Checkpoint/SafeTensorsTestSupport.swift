import Foundation
import XCTest
@testable import Ember

/// Builds safetensors bytes from a literal header and data section.
/// `declaredLength` overrides the 8-byte length prefix (default: the header's byte count).
func safeTensorsBytes(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
    let headerBytes = Array(header.utf8)
    return safeTensorsBytes(headerBytes: headerBytes, data: data, declaredLength: declaredLength)
}

/// Builds safetensors bytes from raw header bytes (which may be invalid UTF-8) and a data section.
func safeTensorsBytes(headerBytes: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
    let length = declaredLength ?? UInt64(headerBytes.count)
    var bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
    bytes += headerBytes
    bytes += data
    return Data(bytes)
}

/// Reads `data` expecting a format error, and returns the problem (failing the test otherwise).
func formatProblem(of data: Data, file: StaticString = #filePath, line: UInt = #line) -> SafeTensorsFormatProblem? {
    do {
        let archive = try SafeTensorsFile.read(from: data, source: "test.safetensors")
        XCTFail("expected a format error, but the file loaded with \(archive.count) tensors", file: file, line: line)
        return nil
    } catch {
        guard case .malformed(let path, let problem) = error else {
            XCTFail("expected .malformed, got \(error)", file: file, line: line)
            return nil
        }
        XCTAssertEqual(path, "test.safetensors", file: file, line: line)
        // Every message must name the file and say something.
        XCTAssertTrue("\(error)".contains("test.safetensors"), file: file, line: line)
        XCTAssertFalse(problem.description.isEmpty, file: file, line: line)
        return problem
    }
}

/// A fresh, empty temporary folder, removed by the caller.
func makeCheckpointTestDirectory(_ label: String = #function) throws -> URL {
    let safeLabel = label.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("ember-checkpoint-tests-\(safeLabel)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The names in a folder, sorted, including hidden files.
func checkpointTestListing(_ url: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
}

/// The bytes of a Data value as an array (for readable assertions).
func checkpointTestBytes(_ data: Data) -> [UInt8] { [UInt8](data) }
