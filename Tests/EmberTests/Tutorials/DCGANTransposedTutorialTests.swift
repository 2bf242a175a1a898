import Foundation
import XCTest
@testable import Ember
import TutorialSupport

/// Tutorial 05 (`DCGANTransposed`, transposed-convolution generator) run for a few steps of 8 images.
final class DCGANTransposedTutorialTests: XCTestCase {
    private let objects = ["generator", "discriminator", "optimizer_d_fake", "optimizer_d_real", "optimizer_g",
                           "rng", "loader", "loader_rng"]
    private let short = ["--batch-size", "8", "--score-samples", "0"]

    func testRunWritesSamplesLogsAndCheckpoint() throws {
        let run = try TutorialRun.run("DCGANTransposed", ["--steps", "2", "--sample-every", "2"] + short)
        defer { run.cleanUp() }
        run.assertStandardArtifacts(pngs: ["samples/step-000002.png", "samples/final.png"])
        run.assertCheckpoint("checkpoint.safetensors", objects: objects)
        XCTAssertTrue(run.output.contains("on D's logits"), run.output)
        let losses = try loggedLosses(run)
        XCTAssertEqual(Set(losses.keys), [1, 2])
        for name in ["d_fake_loss", "d_real_loss", "g_loss"] { XCTAssertNotNil(losses[1]?[name], "\(name) logged") }
    }

    /// The seed's quirk: BCE-with-logits of a probability p in (0, 1). Its loss for label 1 is
    /// log(1 + e^-p), between log(1 + e^-1) ≈ 0.313 and log 2 ≈ 0.693, whatever D does.
    func testSigmoidQuirkBoundsTheLoss() throws {
        let run = try TutorialRun.run("DCGANTransposed", ["--steps", "3", "--sigmoid-quirk", "--sample-every", "0"] + short)
        defer { run.cleanUp() }
        run.assertStandardArtifacts(pngs: ["samples/final.png"])
        XCTAssertTrue(run.output.contains("as in the seed"), run.output)
        for (_, values) in try loggedLosses(run) {
            for name in ["d_real_loss", "g_loss"] {
                let v = try XCTUnwrap(values[name])
                XCTAssertGreaterThan(v, 0.3132)
                XCTAssertLessThan(v, 0.6932)
            }
        }
    }

    func testResumeTrainsOnlyTheRemainingSteps() throws {
        let first = try TutorialRun.run("DCGANTransposed", ["--steps", "2", "--sample-every", "0"] + short)
        defer { first.cleanUp() }
        XCTAssertEqual(first.status, 0, first.output)
        let checkpoint = first.outDirectory.appendingPathComponent("checkpoint.safetensors")
        let second = try TutorialRun.run("DCGANTransposed", ["--steps", "3", "--resume", checkpoint.path, "--sample-every", "0"] + short)
        defer { second.cleanUp() }
        second.assertStandardArtifacts(pngs: ["samples/final.png"])
        second.assertCheckpoint("checkpoint.safetensors", objects: objects)
        XCTAssertTrue(second.output.contains("after step 2"), second.output)
        XCTAssertEqual(Set(try loggedLosses(second).keys), [3])
    }

    func testBadInputExitsWithCode2() throws {
        for arguments in [["--bogus"], ["--beta1", "-0.1"], ["--epochs", "-1"], ["--save-every", "often"], ["--sigmoid-quirk", "--batch-size"]] {
            let run = try TutorialRun.run("DCGANTransposed", arguments)
            defer { run.cleanUp() }
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.output)")
        }
    }
}
