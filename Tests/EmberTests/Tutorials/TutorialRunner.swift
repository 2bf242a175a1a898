import Foundation
import XCTest
@testable import Ember
import TutorialSupport

/// Runs a tutorial executable (built next to this test bundle by `swift test`) with a few steps
/// in a temporary folder, and checks what it wrote.
struct TutorialRun {
    let status: Int32
    let output: String
    let outDirectory: URL

    /// Runs `name` with `arguments` plus `--out <temporary folder>`.
    static func run(_ name: String, _ arguments: [String], timeout: TimeInterval = 600) throws -> TutorialRun {
        let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var exe = binDir.appendingPathComponent(name)
        // On Linux the bundle is an executable in the build folder; on macOS it is inside a .xctest bundle.
        if !FileManager.default.fileExists(atPath: exe.path) {
            exe = binDir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(name)
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tutorial-\(name)-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = exe
        process.arguments = arguments + ["--out", out.path]
        process.currentDirectoryURL = out.deletingLastPathComponent()
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return TutorialRun(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self), outDirectory: out)
    }

    /// Fails unless the run exited 0 and left a valid PNG at each of `pngs` (relative paths),
    /// a non-empty `losses.csv`, a TensorBoard event file, and `loss_curve.png`.
    func assertStandardArtifacts(pngs: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(status, 0, "tutorial failed:\n\(output.suffix(3000))", file: file, line: line)
        for p in pngs + ["loss_curve.png"] {
            let url = outDirectory.appendingPathComponent(p)
            XCTAssertNoThrow(try PNG.read(from: url), "\(p) is missing or not a PNG", file: file, line: line)
        }
        let csv = (try? String(contentsOf: outDirectory.appendingPathComponent("losses.csv"), encoding: .utf8)) ?? ""
        XCTAssertGreaterThan(csv.split(separator: "\n").count, 1, "losses.csv is empty", file: file, line: line)
        let tb = outDirectory.appendingPathComponent("tensorboard")
        let events = (try? FileManager.default.contentsOfDirectory(atPath: tb.path)) ?? []
        XCTAssertTrue(events.contains { $0.hasPrefix("events.out.tfevents.") }, "no TensorBoard event file", file: file, line: line)
    }

    /// Fails unless `relativePath` is a checkpoint that holds `objects`.
    func assertCheckpoint(_ relativePath: String, objects: [String], file: StaticString = #filePath, line: UInt = #line) {
        let url = outDirectory.appendingPathComponent(relativePath)
        guard let archive = try? SafeTensorsFile.read(from: url) else {
            return XCTFail("\(relativePath) is missing or not a safetensors file", file: file, line: line)
        }
        let declared = archive.metadata["ember.objects"]?.split(separator: ",").map(String.init) ?? []
        for o in objects { XCTAssertTrue(declared.contains(o), "checkpoint lacks \(o): \(declared)", file: file, line: line) }
    }

    func cleanUp() { try? FileManager.default.removeItem(at: outDirectory) }
}

final class TutorialOptionsTests: XCTestCase {
    func testParsing() throws {
        let flags = [TutorialOptions.Flag("lr", help: "learning rate"), TutorialOptions.Flag("detach", help: "", takesValue: false)]
        let o = try TutorialOptions.parseOrError(tutorial: "t", defaultSteps: 10, defaultBatchSize: 64, extraFlags: flags,
                                                 arguments: ["--steps", "5", "--seed", "3", "--lr", "0.1", "--detach", "--out", "/tmp/x"]).get()
        XCTAssertEqual(o.steps, 5)
        XCTAssertEqual(o.seed, 3)
        XCTAssertEqual(o.batchSize, 64)
        XCTAssertEqual(o.double("lr", 1), 0.1)
        XCTAssertTrue(o.flag("detach"))
        XCTAssertEqual(o.outDirectory.path, "/tmp/x")
        func error(_ args: [String]) -> TutorialOptions.ParseError? {
            if case .failure(let e) = TutorialOptions.parseOrError(tutorial: "t", defaultSteps: 1, defaultBatchSize: 1, extraFlags: flags, arguments: args) { return e }
            return nil
        }
        XCTAssertEqual(error(["--bogus"]), .unknownFlag("--bogus"))
        XCTAssertEqual(error(["--steps"]), .missingValue("--steps"))
        XCTAssertEqual(error(["--steps", "-3"]), .invalidValue(flag: "--steps", value: "-3"))
        XCTAssertEqual(error(["--data", "/no/such/dir"]), .missingPath("/no/such/dir"))
        XCTAssertEqual(error(["--help"]), .help)
    }
}
