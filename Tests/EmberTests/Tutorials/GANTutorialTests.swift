import Foundation
import XCTest
@testable import Ember

/// Tutorial 03 (executable `GAN`) for a few steps with small batches, without scoring.
final class GANTutorialTests: XCTestCase {
    static let quick = ["--steps", "2", "--batch-size", "16", "--sample-every", "1", "--score-samples", "0"]
    static let pytorch = quick + ["--variant", "pytorch"]
    static let objects = ["generator", "discriminator", "optimizer_g", "optimizer_d", "rng", "data_loader", "data_rng"]

    func testPyTorchVariantWritesItsArtifactsAndCheckpoint() throws {
        let run = try TutorialRun.run("GAN", Self.pytorch)
        defer { run.cleanUp() }
        run.assertStandardArtifacts(pngs: ["samples/step-000001.png", "samples/step-000002.png", "samples/final.png"])
        run.assertCheckpoint("checkpoints/ckpt-2.safetensors", objects: Self.objects)
        XCTAssertTrue(run.output.contains("Total params: 1,486,352"), run.output)   // G
        XCTAssertTrue(run.output.contains("Total params: 1,460,225"), run.output)   // D
    }

    func testKerasVariantHasTheKerasParameterCounts() throws {
        let run = try TutorialRun.run("GAN", Self.quick)   // keras is the default variant
        defer { run.cleanUp() }
        run.assertStandardArtifacts(pngs: ["samples/final.png"])
        run.assertCheckpoint("checkpoints/ckpt-2.safetensors", objects: Self.objects)
        for line in ["Total params: 1,493,520", "Trainable params: 1,489,936", "Non-trainable params: 3,584",
                     "Total params: 533,505"] {
            XCTAssertTrue(run.output.contains(line), "missing \(line):\n\(run.output)")
        }
        XCTAssertTrue(run.output.contains("d_accuracy"), run.output)
    }

    /// The README's claim: detaching G(z) in D's step changes the speed, not the numbers.
    func testDetachingChangesNoNumber() throws {
        let detached = try TutorialRun.run("GAN", Self.pytorch + ["--steps", "3"])
        let attached = try TutorialRun.run("GAN", Self.pytorch + ["--steps", "3", "--no-detach"])
        defer { detached.cleanUp(); attached.cleanUp() }
        XCTAssertEqual(detached.status, 0, detached.output)
        XCTAssertEqual(attached.status, 0, attached.output)
        XCTAssertEqual(try lossValues(detached.outDirectory), try lossValues(attached.outDirectory))
        XCTAssertEqual(try lossValues(detached.outDirectory).count, 6)
    }

    func testResumeFromTheCheckpointFolder() throws {
        let first = try TutorialRun.run("GAN", Self.quick)
        defer { first.cleanUp() }
        XCTAssertEqual(first.status, 0, first.output)
        let second = try TutorialRun.run("GAN", Self.quick + ["--steps", "3", "--resume",
                                                              first.outDirectory.appendingPathComponent("checkpoints").path])
        defer { second.cleanUp() }
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("at step 2"), second.output)
        second.assertCheckpoint("checkpoints/ckpt-3.safetensors", objects: Self.objects)
        // A checkpoint of the other variant does not fit: exit code 2, and the problems are named.
        let wrong = try TutorialRun.run("GAN", Self.pytorch + ["--resume",
                                                             first.outDirectory.appendingPathComponent("checkpoints").path])
        defer { wrong.cleanUp() }
        XCTAssertEqual(wrong.status, 2, wrong.output)
        XCTAssertTrue(wrong.output.contains("does not fit"), wrong.output)
    }

    func testBadFlagsExitWithCode2() throws {
        for args in [["--bogus"], ["--variant", "tensorflow"], ["--sample-every", "0"], ["--score-samples", "many"], ["--beta1", "1"],
                     ["--data", "/no/such/folder"], ["--steps", "0"], ["--batch-size", "20000"]] {
            let run = try TutorialRun.run("GAN", args)
            defer { run.cleanUp() }
            XCTAssertEqual(run.status, 2, "\(args): \(run.output)")
        }
    }

}

/// (step, name, value) rows of a tutorial's losses.csv, without the wall time.
func lossValues(_ directory: URL) throws -> [String] {
    try String(contentsOf: directory.appendingPathComponent("losses.csv"), encoding: .utf8)
        .split(separator: "\n").dropFirst().map { $0.split(separator: ",").prefix(3).joined(separator: ",") }
}
