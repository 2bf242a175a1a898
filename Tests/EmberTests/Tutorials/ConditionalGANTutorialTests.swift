import Foundation
import XCTest
@testable import Ember
import TutorialSupport

/// Tutorial 09 (`ConditionalGAN`) run for a few steps of 8 images.
final class ConditionalGANTutorialTests: XCTestCase {
    private let objects = ["generator", "discriminator", "optimizer_d", "optimizer_g", "rng", "loader", "loader_rng"]
    private let short = ["--batch-size", "8", "--score-samples", "0"]

    func testRunWritesADigitPerRowGridLogsAndCheckpoint() throws {
        let run = try TutorialRun.run("ConditionalGAN", ["--steps", "2", "--sample-every", "1"] + short)
        defer { run.cleanUp() }
        run.assertStandardArtifacts(pngs: ["samples/step-000001.png", "samples/final.png"])
        run.assertCheckpoint("checkpoint.safetensors", objects: objects)
        // Ten rows (digits 0-9) of ten samples.
        let grid = try PNG.read(from: run.outDirectory.appendingPathComponent("samples/final.png"))
        XCTAssertEqual(grid.width, 10 * 30 + 2)
        XCTAssertEqual(grid.height, 10 * 30 + 2)
        XCTAssertEqual(Set(try loggedLosses(run).keys), [1, 2])
    }

    /// 2 steps + a resumed third step give exactly the losses of 3 steps in one go.
    func testResumeContinuesExactly() throws {
        let straight = try TutorialRun.run("ConditionalGAN", ["--steps", "3", "--sample-every", "0"] + short)
        defer { straight.cleanUp() }
        XCTAssertEqual(straight.status, 0, straight.output)
        let first = try TutorialRun.run("ConditionalGAN", ["--steps", "2", "--sample-every", "0"] + short)
        defer { first.cleanUp() }
        XCTAssertEqual(first.status, 0, first.output)
        let checkpoint = first.outDirectory.appendingPathComponent("checkpoint.safetensors")
        let second = try TutorialRun.run("ConditionalGAN", ["--steps", "3", "--resume", checkpoint.path, "--sample-every", "0"] + short)
        defer { second.cleanUp() }
        second.assertStandardArtifacts(pngs: ["samples/final.png"])
        let resumed = try loggedLosses(second), reference = try loggedLosses(straight)
        XCTAssertEqual(Set(resumed.keys), [3])
        XCTAssertEqual(resumed[3], reference[3])
    }

    func testBadInputExitsWithCode2() throws {
        for arguments in [["--bogus"], ["--beta1", "1.5"], ["--lr", "0"], ["--seed", "-4"], ["--score-samples", "2.5"]] {
            let run = try TutorialRun.run("ConditionalGAN", arguments)
            defer { run.cleanUp() }
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.output)")
        }
    }
}
