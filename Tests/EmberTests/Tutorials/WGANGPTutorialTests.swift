import Foundation
import XCTest
@testable import Ember

/// Tutorial 08 (executable `WGANGP`) for two generator steps with two critic steps each.
final class WGANGPTutorialTests: XCTestCase {
    func testWritesItsArtifactsAndCheckpoint() throws {
        let run = try TutorialRun.run("WGANGP", ["--steps", "2", "--n-critic", "2", "--batch-size", "16",
                                                 "--sample-every", "1", "--score-samples", "0"])
        defer { run.cleanUp() }
        run.assertStandardArtifacts(pngs: ["samples/step-000001.png", "samples/step-000002.png", "samples/final.png"])
        run.assertCheckpoint("checkpoints/ckpt-2.safetensors",
                             objects: ["generator", "critic", "optimizer_g", "optimizer_c", "rng", "data_loader", "data_rng"])
        let series = try CSVLogger.read(from: run.outDirectory.appendingPathComponent("losses.csv"))
        XCTAssertEqual(series.map(\.name), ["critic_loss", "wasserstein", "gradient_penalty", "g_loss"])
        for s in series { XCTAssertEqual(s.steps, [1, 2]); XCTAssertTrue(s.values.allSatisfy(\.isFinite), "\(s)") }
        // The penalty is a mean of squares: never negative.
        XCTAssertTrue(series[2].values.allSatisfy { $0 >= 0 })
    }

    func testBadFlagsExitWithCode2() throws {
        for args in [["--bogus"], ["--n-critic", "0"], ["--lambda-gp", "-1"], ["--lambda-gp", "ten"]] {
            let run = try TutorialRun.run("WGANGP", args)
            defer { run.cleanUp() }
            XCTAssertEqual(run.status, 2, "\(args): \(run.output)")
        }
    }
}
