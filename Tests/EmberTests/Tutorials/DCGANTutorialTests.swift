import Foundation
import XCTest
@testable import Ember
import TutorialSupport

/// The losses a tutorial logged, by step and name, from its `losses.csv`.
func loggedLosses(_ run: TutorialRun) throws -> [Int: [String: Double]] {
    let csv = try String(contentsOf: run.outDirectory.appendingPathComponent("losses.csv"), encoding: .utf8)
    var losses: [Int: [String: Double]] = [:]
    for line in csv.split(separator: "\n").dropFirst() {
        let f = line.split(separator: ",")
        guard f.count >= 3, let step = Int(f[0]), let v = Double(f[2]) else { continue }
        losses[step, default: [:]][String(f[1])] = v
    }
    return losses
}

/// Tutorial 04 (`DCGAN`, upsample + convolution generator) run for a few steps of 8 images.
final class DCGANTutorialTests: XCTestCase {
    private let objects = ["generator", "discriminator", "optimizer_d_real", "optimizer_d_fake", "optimizer_g",
                           "rng", "loader", "loader_rng"]
    private let short = ["--batch-size", "8", "--score-samples", "0"]

    func testRunWritesSamplesLogsAndCheckpoint() throws {
        let run = try TutorialRun.run("DCGAN", ["--steps", "2", "--sample-every", "1"] + short)
        defer { run.cleanUp() }
        run.assertStandardArtifacts(pngs: ["samples/step-000001.png", "samples/step-000002.png", "samples/final.png"])
        run.assertCheckpoint("checkpoint.safetensors", objects: objects)
        XCTAssertTrue(run.output.contains("as in the seed"), run.output)
        let losses = try loggedLosses(run)
        XCTAssertEqual(Set(losses.keys), [1, 2])
        for name in ["d_real_loss", "d_fake_loss", "g_loss"] { XCTAssertNotNil(losses[2]?[name], "\(name) logged") }
        let grid = try PNG.read(from: run.outDirectory.appendingPathComponent("samples/final.png"))
        XCTAssertEqual(grid.width, 8 * 30 + 2)    // 64 samples, 8 per row
        XCTAssertEqual(grid.height, 8 * 30 + 2)
    }

    /// With --detach every step starts from cleared gradients, so 2 steps + a resumed third step
    /// give exactly the losses of 3 steps in one go.
    func testResumeContinuesExactly() throws {
        let straight = try TutorialRun.run("DCGAN", ["--steps", "3", "--detach"] + short)
        defer { straight.cleanUp() }
        XCTAssertEqual(straight.status, 0, straight.output)
        XCTAssertTrue(straight.output.contains("usual practice"), straight.output)
        let first = try TutorialRun.run("DCGAN", ["--steps", "2", "--detach"] + short)
        defer { first.cleanUp() }
        XCTAssertEqual(first.status, 0, first.output)
        let checkpoint = first.outDirectory.appendingPathComponent("checkpoint.safetensors")
        let second = try TutorialRun.run("DCGAN", ["--steps", "3", "--detach", "--resume", checkpoint.path] + short)
        defer { second.cleanUp() }
        second.assertStandardArtifacts(pngs: ["samples/final.png"])
        XCTAssertTrue(second.output.contains("resumed from"), second.output)
        let resumed = try loggedLosses(second), reference = try loggedLosses(straight)
        XCTAssertEqual(Set(resumed.keys), [3], "the resumed run trains only step 3")
        XCTAssertEqual(resumed[3], reference[3], "resumed step 3 equals step 3 of the uninterrupted run")
    }

    func testBadInputExitsWithCode2() throws {
        for arguments in [["--bogus"], ["--beta1", "1"], ["--steps", "0"], ["--score-samples", "x"], ["--lr", "-1"], ["--sample-every", "-2"],
                          ["--batch-size", "20000"], ["--data", "/no/such/folder"], ["--resume", "/no/such/checkpoint"]] {
            let run = try TutorialRun.run("DCGAN", arguments)
            defer { run.cleanUp() }
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.output)")
        }
    }

    func testResumingAnotherTutorialsCheckpointExitsWithCode2() throws {
        let other = try TutorialRun.run("ConditionalGAN", ["--steps", "1", "--sample-every", "0"] + short)
        defer { other.cleanUp() }
        XCTAssertEqual(other.status, 0, other.output)
        let run = try TutorialRun.run("DCGAN", ["--steps", "2", "--resume", other.outDirectory.appendingPathComponent("checkpoint.safetensors").path] + short)
        defer { run.cleanUp() }
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertTrue(run.output.contains("cannot resume"), run.output)
    }
}
