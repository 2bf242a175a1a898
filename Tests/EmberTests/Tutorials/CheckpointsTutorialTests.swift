import Foundation
import XCTest
@testable import Ember

/// Tutorial 07 (executable `CheckpointsAndResume`): N steps + resume N steps equals 2N steps.
final class CheckpointsTutorialTests: XCTestCase {
    static let common = ["--steps", "8", "--checkpoint-every", "2", "--print-every", "1", "--batch-size", "16",
                         "--score-samples", "0"]

    /// The printed `step ...` lines of a run (losses with nine significant digits).
    private func lossLines(_ run: TutorialRun) -> [String] {
        run.output.split(separator: "\n").map(String.init).compactMap { line in
            line.range(of: "step ").map { String(line[$0.lowerBound...]) }
        }.filter { $0.contains("d_loss") }
    }

    private func fingerprint(_ run: TutorialRun) -> String? {
        run.output.split(separator: "\n").first { $0.hasPrefix("Final state fingerprint:") }.map(String.init)
    }

    func testStopAndResumeEqualsAnUninterruptedRun() throws {
        let straight = try TutorialRun.run("CheckpointsAndResume", Self.common)
        defer { straight.cleanUp() }
        straight.assertStandardArtifacts(pngs: ["samples/final.png"])
        straight.assertCheckpoint("checkpoints/ckpt-8.safetensors",
                                  objects: ["generator", "discriminator", "optimizer_g", "optimizer_d", "rng", "data_loader", "data_rng"])
        XCTAssertEqual(lossLines(straight).count, 8, straight.output)

        // Stops after step 5 (checkpoints at 2 and 4), then resumes from the newest: step 4.
        let first = try TutorialRun.run("CheckpointsAndResume", Self.common + ["--stop-at", "5"])
        defer { first.cleanUp() }
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertNil(fingerprint(first))
        let checkpoints = first.outDirectory.appendingPathComponent("checkpoints")
        XCTAssertEqual(Checkpoint.latest(inDirectory: checkpoints)?.lastPathComponent, "ckpt-4.safetensors")
        let resumed = try TutorialRun.run("CheckpointsAndResume", Self.common + ["--resume", checkpoints.path])
        defer { resumed.cleanUp() }
        resumed.assertStandardArtifacts(pngs: ["samples/final.png"])
        XCTAssertTrue(resumed.output.contains("at step 4"), resumed.output)

        // Steps 1-5 of the first part and 5-8 of the resumed part print exactly the straight run's losses.
        XCTAssertEqual(Array(lossLines(first)), Array(lossLines(straight).prefix(5)))
        XCTAssertEqual(lossLines(resumed), Array(lossLines(straight).suffix(4)))
        XCTAssertNotNil(fingerprint(straight))
        XCTAssertEqual(fingerprint(resumed), fingerprint(straight))
        // And the final checkpoints hold bit-identical tensors.
        let a = try SafeTensorsFile.read(from: straight.outDirectory.appendingPathComponent("checkpoints/ckpt-8.safetensors"))
        let b = try SafeTensorsFile.read(from: resumed.outDirectory.appendingPathComponent("checkpoints/ckpt-8.safetensors"))
        XCTAssertEqual(a.entries.map(\.name), b.entries.map(\.name))
        XCTAssertEqual(a.entries, b.entries)

        // Leaving out the random generator on resume changes the run: the test above can fail.
        let forgetful = try TutorialRun.run("CheckpointsAndResume", Self.common + ["--resume", checkpoints.path, "--forget", "rng"])
        defer { forgetful.cleanUp() }
        XCTAssertEqual(forgetful.status, 0, forgetful.output)
        XCTAssertNotEqual(lossLines(forgetful), Array(lossLines(straight).suffix(4)))
        XCTAssertNotEqual(fingerprint(forgetful), fingerprint(straight))
    }

    func testBadFlagsExitWithCode2() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        for args in [["--bogus"], ["--stop-at", "0"], ["--keep-last", "0"], ["--forget", "weights"],
                     ["--resume", empty.path], ["--resume", "/no/such/checkpoint.safetensors"]] {
            let run = try TutorialRun.run("CheckpointsAndResume", args)
            defer { run.cleanUp() }
            XCTAssertEqual(run.status, 2, "\(args): \(run.output)")
        }
    }
}
