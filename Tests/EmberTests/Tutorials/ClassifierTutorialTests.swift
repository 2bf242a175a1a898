import Foundation
import XCTest
@testable import Ember
import TutorialSupport

/// Tutorial 02 (`Classifier`) run for a few steps: what it writes, resuming, the Fashion-MNIST
/// path and bad input.
final class ClassifierTutorialTests: XCTestCase {
    private func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("classifier-test-\(UUID().uuidString)-\(name)")
    }

    func testMNISTRunWritesLogsPicturesCheckpointAndTheSharedClassifier() throws {
        let shared = temporaryURL("mnist-classifier.safetensors")
        defer { try? FileManager.default.removeItem(at: shared) }
        let run = try TutorialRun.run("Classifier", ["--steps", "3", "--batch-size", "16", "--test-size", "100",
                                                     "--classifier-out", shared.path])
        defer { run.cleanUp() }
        run.assertStandardArtifacts(pngs: ["samples/predictions.png", "samples/mistakes.png"])
        run.assertCheckpoint("checkpoints/ckpt-3.safetensors", objects: ["model", "optimizer", "schedule", "loader", "rng"])
        XCTAssertTrue(run.output.contains("MNIST (mean pixel 0.13"), run.output)
        XCTAssertTrue(run.output.contains("9900 training images; testing on 100 images, the last 100 images, held out"), run.output)
        XCTAssertTrue(run.output.contains("test accuracy"), run.output)

        // The CSV has the training loss and the test accuracy at the last step.
        let csv = try String(contentsOf: run.outDirectory.appendingPathComponent("losses.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains("test_accuracy"), csv)
        XCTAssertTrue(csv.contains("loss"), csv)
        // 8 images per row, 4 rows: the predictions grid shows 32 test images.
        let grid = try PNG.read(from: run.outDirectory.appendingPathComponent("samples/predictions.png"))
        XCTAssertEqual(grid.width % 8, 0)
        XCTAssertGreaterThan(grid.height, 4 * 56)

        // The classifier the GAN tutorials load: a DigitClassifier state dict, also kept in the run folder.
        for url in [shared, run.outDirectory.appendingPathComponent("mnist-classifier.safetensors")] {
            let model = DigitClassifier()
            XCTAssertNoThrow(try model.loadSafetensors(from: url), url.path)
        }
    }

    func testResumeContinuesFromTheSavedStep() throws {
        let shared = temporaryURL("c.safetensors")
        defer { try? FileManager.default.removeItem(at: shared) }
        let first = try TutorialRun.run("Classifier", ["--steps", "2", "--batch-size", "16", "--test-size", "50",
                                                       "--classifier-out", shared.path])
        defer { first.cleanUp() }
        XCTAssertEqual(first.status, 0, first.output)
        let checkpoint = first.outDirectory.appendingPathComponent("checkpoints/ckpt-2.safetensors")
        let second = try TutorialRun.run("Classifier", ["--steps", "4", "--batch-size", "16", "--test-size", "50",
                                                        "--classifier-out", shared.path, "--resume", checkpoint.path])
        defer { second.cleanUp() }
        second.assertStandardArtifacts(pngs: ["samples/predictions.png"])
        XCTAssertTrue(second.output.contains("at step 2"), second.output)
        second.assertCheckpoint("checkpoints/ckpt-4.safetensors", objects: ["model", "optimizer", "loader"])
        // Only steps 3 and 4 were trained: the resumed log starts after step 2.
        let csv = try String(contentsOf: second.outDirectory.appendingPathComponent("losses.csv"), encoding: .utf8)
        let steps = csv.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: ",").first ?? "") }
        XCTAssertFalse(steps.isEmpty, csv)
        XCTAssertTrue(steps.allSatisfy { $0 > 2 }, csv)
    }

    /// A folder with train and t10k files of bright images is taken for Fashion-MNIST, tested on
    /// its own test split, and does not overwrite the MNIST classifier.
    func testFashionFolderUsesItsTestSplitAndClothesNames() throws {
        let folder = temporaryURL("fashion")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let g = Generator(seed: 3)
        for (split, count) in [("train", 48), ("t10k", 20)] {
            let pixels = (0..<(count * 784)).map { _ in UInt8(60 + g.nextInt(below: 180)) }   // mean pixel ≈ 0.59
            try IDXFile.write(IDXArray(shape: [count, 28, 28], bytes: pixels),
                              to: folder.appendingPathComponent("\(split)-images-idx3-ubyte"))
            try IDXFile.write(IDXArray(shape: [count], bytes: (0..<count).map { UInt8($0 % 10) }),
                              to: folder.appendingPathComponent("\(split)-labels-idx1-ubyte"))
        }
        let shared = temporaryURL("must-not-exist.safetensors")
        let run = try TutorialRun.run("Classifier", ["--data", folder.path, "--steps", "2", "--batch-size", "16",
                                                     "--classifier-out", shared.path])
        defer { run.cleanUp() }
        run.assertStandardArtifacts(pngs: ["samples/predictions.png"])
        XCTAssertTrue(run.output.contains("Fashion-MNIST"), run.output)
        XCTAssertTrue(run.output.contains("48 training images; testing on 20 images, the folder's separate test split"), run.output)
        XCTAssertTrue(run.output.contains("Sneaker") || run.output.contains("Ankle boot"), "class names are clothes")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.outDirectory.appendingPathComponent("fashion-classifier.safetensors").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: shared.path), "a Fashion-MNIST run must not replace the MNIST classifier")
    }

    func testBadInputExitsWithCode2() throws {
        let garbage = temporaryURL("garbage.safetensors")
        try Data("not a checkpoint".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        for arguments in [["--bogus"], ["--dataset", "cifar"], ["--steps", "0"], ["--data", "/no/such/folder"],
                          ["--resume", garbage.path, "--test-size", "50"]] {
            let run = try TutorialRun.run("Classifier", arguments)
            defer { run.cleanUp() }
            XCTAssertEqual(run.status, 2, "\(arguments): \(run.output)")
        }
    }
}
