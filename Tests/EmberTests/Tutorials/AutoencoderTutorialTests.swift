import Foundation
import XCTest
@testable import Ember
import TutorialSupport

/// Tutorial 06 (`AutoencoderVAE`) run for a few steps: what it writes for each network,
/// resuming, a larger VAE code, and bad input.
final class AutoencoderTutorialTests: XCTestCase {
    /// The run's logs and pictures of one network, checked with the standard assertions.
    private func part(_ run: TutorialRun, _ folder: String) -> TutorialRun {
        TutorialRun(status: run.status, output: run.output, outDirectory: run.outDirectory.appendingPathComponent(folder))
    }

    private let objects = ["encoder", "decoder", "ae_optimizer", "vae", "vae_optimizer", "ae_loader", "vae_loader", "rng"]

    func testRunWritesBothNetworksPicturesLogsAndCheckpoint() throws {
        let run = try TutorialRun.run("AutoencoderVAE", ["--steps", "3", "--batch-size", "32", "--test-size", "64"])
        defer { run.cleanUp() }
        part(run, "autoencoder").assertStandardArtifacts(pngs: ["codes.png", "samples/reconstructions.png", "samples/random-codes.png"])
        part(run, "vae").assertStandardArtifacts(pngs: ["codes.png", "samples/reconstructions.png", "samples/samples.png",
                                                        "samples/manifold.png"])
        run.assertCheckpoint("checkpoints/ckpt-6.safetensors", objects: objects)
        XCTAssertTrue(run.output.contains("9936 training images, 64 held out; 3 steps of 32 images per network"), run.output)
        XCTAssertTrue(run.output.contains("autoencoder epoch"), run.output)
        XCTAssertTrue(run.output.contains("VAE epoch"), run.output)

        // Reconstructions: 32 originals interleaved with their 32 reconstructions, 8 per row.
        let recon = try PNG.read(from: run.outDirectory.appendingPathComponent("autoencoder/samples/reconstructions.png"))
        XCTAssertEqual(recon.width, 8 * 30 + 2)
        XCTAssertEqual(recon.height, 8 * 30 + 2)
        // The 2-D VAE's map of codes: 15 x 15 decoded digits.
        let manifold = try PNG.read(from: run.outDirectory.appendingPathComponent("vae/samples/manifold.png"))
        XCTAssertEqual(manifold.width, 15 * 30 + 2)
        // Three scatter panels side by side for the 3-D autoencoder codes.
        let codes = try PNG.read(from: run.outDirectory.appendingPathComponent("autoencoder/codes.png"))
        XCTAssertEqual(codes.width, 420 + 420 + 480)

        // The VAE's losses are logged term by term.
        let csv = try String(contentsOf: run.outDirectory.appendingPathComponent("vae/losses.csv"), encoding: .utf8)
        for name in ["loss", "reconstruction", "kl", "test_loss"] { XCTAssertTrue(csv.contains(",\(name),"), "\(name) in \(csv)") }
    }

    func testResumeSkipsWhatWasTrained() throws {
        let first = try TutorialRun.run("AutoencoderVAE", ["--steps", "2", "--batch-size", "32", "--test-size", "64"])
        defer { first.cleanUp() }
        XCTAssertEqual(first.status, 0, first.output)
        let checkpoint = first.outDirectory.appendingPathComponent("checkpoints/ckpt-4.safetensors")
        let second = try TutorialRun.run("AutoencoderVAE", ["--steps", "3", "--batch-size", "32", "--test-size", "64",
                                                            "--resume", checkpoint.path])
        defer { second.cleanUp() }
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("autoencoder at step 2, VAE at step 2"), second.output)
        second.assertCheckpoint("checkpoints/ckpt-6.safetensors", objects: objects)
        for folder in ["autoencoder", "vae"] {
            let csv = try String(contentsOf: second.outDirectory.appendingPathComponent("\(folder)/losses.csv"), encoding: .utf8)
            let steps = csv.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: ",").first ?? "") }
            XCTAssertEqual(Set(steps), [3], "\(folder) trained only step 3: \(csv)")
        }
    }

    func testLargerCodePlotsTwoOfItsDimensionsAndDrawsNoMap() throws {
        let run = try TutorialRun.run("AutoencoderVAE", ["--steps", "1", "--batch-size", "32", "--test-size", "64", "--latent", "4"])
        defer { run.cleanUp() }
        part(run, "vae").assertStandardArtifacts(pngs: ["codes.png", "samples/samples.png"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.outDirectory.appendingPathComponent("vae/samples/manifold.png").path))
    }

    func testBadInputExitsWithCode2() throws {
        for arguments in [["--bogus"], ["--latent", "0"], ["--lr", "-1"], ["--batch-size"], ["--data", "/no/such/folder"]] {
            let run = try TutorialRun.run("AutoencoderVAE", arguments)
            defer { run.cleanUp() }
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.output)")
        }
    }
}
