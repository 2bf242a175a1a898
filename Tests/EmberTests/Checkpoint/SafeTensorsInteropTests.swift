import Foundation
import XCTest
@testable import Ember

/// Compatibility with Python's `safetensors` (the reference implementation).
///
/// The fixture below was written by `Tests/Scripts/check_safetensors.py swift-fixture`
/// (safetensors 0.8.0, numpy 2.4); the tensor set is mirrored in that script.
/// With `EMBER_SAFETENSORS_INTEROP_DIR` set, `testLivePythonRoundTrip` also reads the file the
/// script wrote there and writes one for the script to check (see the script's docstring).
final class SafeTensorsInteropTests: XCTestCase {
    static let pythonFixtureBase64 = """
        kAIAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJzdGVwIjoiNDIifSwiY291bnRlciI6eyJkdHlwZSI6Ikk2NCIsInNoYXBlIjpbXSwi
        ZGF0YV9vZmZzZXRzIjpbMCw4XX0sImJpYXMiOnsiZHR5cGUiOiJGNjQiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOls4LDMy
        XX0sImVtcHR5Ijp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlswLDNdLCJkYXRhX29mZnNldHMiOlszMiwzMl19LCJsYXllci4wL3dl
        XCJpcmRcXG5hbWVcblx1MDAwMeKckyI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMV0sImRhdGFfb2Zmc2V0cyI6WzMyLDM2XX0s
        IndlaWdodCI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMiwzXSwiZGF0YV9vZmZzZXRzIjpbMzYsNjBdfSwiaW5kZXgiOnsiZHR5
        cGUiOiJJMzIiLCJzaGFwZSI6WzIsMl0sImRhdGFfb2Zmc2V0cyI6WzYwLDc2XX0sImJyYWluIjp7ImR0eXBlIjoiQkYxNiIsInNo
        YXBlIjpbM10sImRhdGFfb2Zmc2V0cyI6Wzc2LDgyXX0sImhhbGYiOnsiZHR5cGUiOiJGMTYiLCJzaGFwZSI6WzRdLCJkYXRhX29m
        ZnNldHMiOls4Miw5MF19LCJsYWJlbHMiOnsiZHR5cGUiOiJVOCIsInNoYXBlIjpbNF0sImRhdGFfb2Zmc2V0cyI6WzkwLDk0XX0s
        Im1hc2siOnsiZHR5cGUiOiJCT09MIiwic2hhcGUiOlszXSwiZGF0YV9vZmZzZXRzIjpbOTQsOTddfX0gICAgIAcAAAAAAAAAmpmZ
        mZmZuT8AAAAAAAAEwDslX7iDbstUAADAPwAAgL8AAAC/AAAAAAAAAD8AAIA/AADAP/////8CAAAAAAAAgP///3+APwDASUAAPAC4
        /3sBAAAB/v8BAAE=
        """

    static let weirdName = "layer.0/we\"ird\\name\n\u{01}\u{2713}"

    /// The reference tensor set, built with Ember's constructors.
    static func referenceEntries() -> [SafeTensorsEntry] {
        [
            SafeTensorsEntry(name: "weight", shape: [2, 3], floats: [-1, -0.5, 0, 0.5, 1, 1.5]),
            SafeTensorsEntry(name: "bias", shape: [3], doubles: [0.1, -2.5, 3e100]),
            SafeTensorsEntry(name: "counter", shape: [], integers: [7]),
            SafeTensorsEntry(name: "labels", shape: [4], integers: [0, 1, 254, 255], dtype: .u8),
            SafeTensorsEntry(name: "index", shape: [2, 2], integers: [-1, 2, -2_147_483_648, 2_147_483_647], dtype: .i32),
            SafeTensorsEntry(name: "half", shape: [4], floats: [1, -0.5, 65504, 0x1p-24], dtype: .f16),
            SafeTensorsEntry(name: "empty", shape: [0, 3], floats: []),
            SafeTensorsEntry(name: "mask", shape: [3], integers: [1, 0, 1], dtype: .bool),
            SafeTensorsEntry(name: "brain", shape: [3], floats: [1, -2, 3.140625], dtype: .bf16),
            SafeTensorsEntry(name: weirdName, shape: [1], floats: [1.5]),
        ]
    }

    static let referenceMetadata = ["step": "42"]

    /// Checks names, dtypes, shapes and values of an archive holding the reference set.
    static func checkReferenceArchive(_ archive: SafeTensorsArchive, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(Set(archive.names), Set(referenceEntries().map(\.name)), file: file, line: line)
        XCTAssertEqual(archive.metadata, referenceMetadata, file: file, line: line)
        func entry(_ name: String) throws -> SafeTensorsEntry { try XCTUnwrap(archive[name], name, file: file, line: line) }
        XCTAssertEqual(try entry("weight").dtype, .f32)
        XCTAssertEqual(try entry("weight").shape, [2, 3])
        XCTAssertEqual(try entry("weight").floatValues(), [-1, -0.5, 0, 0.5, 1, 1.5])
        XCTAssertEqual(try entry("bias").dtype, .f64)
        XCTAssertEqual(try entry("bias").doubleValues(), [0.1, -2.5, 3e100])
        XCTAssertEqual(try entry("counter").dtype, .i64)
        XCTAssertEqual(try entry("counter").shape, [])
        XCTAssertEqual(try entry("counter").int64Values(), [7])
        XCTAssertEqual(try entry("labels").dtype, .u8)
        XCTAssertEqual(try entry("labels").int64Values(), [0, 1, 254, 255])
        XCTAssertEqual(try entry("index").dtype, .i32)
        XCTAssertEqual(try entry("index").shape, [2, 2])
        XCTAssertEqual(try entry("index").int64Values(), [-1, 2, -2_147_483_648, 2_147_483_647])
        XCTAssertEqual(try entry("half").dtype, .f16)
        XCTAssertEqual(try entry("half").floatValues(), [1, -0.5, 65504, 0x1p-24])
        XCTAssertEqual(try entry("empty").shape, [0, 3])
        XCTAssertEqual(try entry("empty").floatValues(), [])
        XCTAssertEqual(try entry("mask").dtype, .bool)
        XCTAssertEqual(try entry("mask").int64Values(), [1, 0, 1])
        XCTAssertEqual(try entry("brain").dtype, .bf16)
        XCTAssertEqual(try entry("brain").floatValues(), [1, -2, 3.140625])
        XCTAssertEqual(try entry(weirdName).floatValues(), [1.5])
    }

    private var pythonFixture: Data {
        Data(base64Encoded: Self.pythonFixtureBase64.filter { !$0.isWhitespace })!
    }

    func testReadsFileWrittenByPythonSafetensors() throws {
        let archive = try SafeTensorsFile.read(from: pythonFixture, source: "python-fixture")
        try Self.checkReferenceArchive(archive)
        XCTAssertEqual(archive.names.first, "counter")  // header order: Python's layout order
    }

    func testSerializationIsByteIdenticalToPythonSafetensors() throws {
        let ours = try SafeTensorsFile.serialize(entries: Self.referenceEntries(), metadata: Self.referenceMetadata)
        XCTAssertEqual(ours.count, pythonFixture.count)
        XCTAssertEqual(checkpointTestBytes(ours), checkpointTestBytes(pythonFixture))
        // Re-serialising what we read reproduces Python's bytes too, in any input order.
        let archive = try SafeTensorsFile.read(from: pythonFixture)
        XCTAssertEqual(try SafeTensorsFile.serialize(entries: archive.entries.reversed(), metadata: archive.metadata), pythonFixture)
    }

    /// Runs only when EMBER_SAFETENSORS_INTEROP_DIR is set (see Tests/Scripts/check_safetensors.py).
    func testLivePythonRoundTrip() throws {
        guard let path = ProcessInfo.processInfo.environment["EMBER_SAFETENSORS_INTEROP_DIR"], !path.isEmpty else {
            throw XCTSkip("set EMBER_SAFETENSORS_INTEROP_DIR to run the live Python interop check")
        }
        let directory = URL(fileURLWithPath: path, isDirectory: true)
        for name in ["from_python.safetensors", "from_python.safetensors.numpy.safetensors"] {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let archive = try SafeTensorsFile.read(from: url)
            if name.contains("numpy") {
                XCTAssertEqual(Set(archive.names), Set(Self.referenceEntries().map(\.name)).subtracting(["brain"]))
            } else {
                try Self.checkReferenceArchive(archive)
                XCTAssertEqual(try Data(contentsOf: url), pythonFixture)
            }
        }
        try SafeTensorsFile.write(entries: Self.referenceEntries(), metadata: Self.referenceMetadata,
                                  to: directory.appendingPathComponent("from_swift.safetensors"))
    }
}
