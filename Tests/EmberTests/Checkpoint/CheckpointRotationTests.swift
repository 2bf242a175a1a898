import Foundation
import XCTest
@testable import Ember

final class CheckpointRotationTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeCheckpointTestDirectory(name)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private func touch(_ name: String) throws {
        try Data([0]).write(to: directory.appendingPathComponent(name))
    }

    func testStepParsing() {
        let rotation = CheckpointRotation(directory: directory, keep: 2)
        XCTAssertEqual(rotation.fileName(forStep: 120), "ckpt-120.safetensors")
        XCTAssertEqual(rotation.url(forStep: 5).lastPathComponent, "ckpt-5.safetensors")
        XCTAssertEqual(rotation.step(fromFileName: "ckpt-120.safetensors"), 120)
        XCTAssertEqual(rotation.step(fromFileName: "ckpt-0010.safetensors"), 10)
        XCTAssertEqual(rotation.step(fromFileName: "ckpt-0.safetensors"), 0)
        for name in ["ckpt-.safetensors", "ckpt--1.safetensors", "ckpt-+1.safetensors", "ckpt-1.safetensors.tmp",
                     ".ckpt-1.safetensors.tmp-1-ab", "ckpt-1x.safetensors", "model-1.safetensors", "ckpt-1.bin",
                     "ckpt-99999999999999999999999.safetensors", "ckpt-١.safetensors", "ckpt.safetensors"] {
            XCTAssertNil(rotation.step(fromFileName: name), name)
        }
        let custom = CheckpointRotation(directory: directory, prefix: "model_step", suffix: ".st", keep: 1)
        XCTAssertEqual(custom.step(fromFileName: "model_step7.st"), 7)
        XCTAssertEqual(custom.fileName(forStep: 7), "model_step7.st")
    }

    func testKeepsNewestByStepNumberNotByName() throws {
        for name in ["ckpt-1.safetensors", "ckpt-5.safetensors", "ckpt-10.safetensors", "ckpt-002.safetensors", "ckpt-40.safetensors"] {
            try touch(name)
        }
        // Things that must never be touched.
        for name in ["notes.txt", "ckpt-x.safetensors", ".ckpt-3.safetensors.tmp-99-abc", "ckpt-7.safetensors.partial"] {
            try touch(name)
        }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("ckpt-8.safetensors"), withIntermediateDirectories: false)

        let rotation = CheckpointRotation(directory: directory, keep: 2)
        XCTAssertEqual(try rotation.checkpoints().map(\.step), [1, 2, 5, 10, 40])
        XCTAssertEqual(try rotation.latest()?.step, 40)
        let deleted = try rotation.prune()
        XCTAssertEqual(deleted.map(\.step), [1, 2, 5])
        XCTAssertEqual(try checkpointTestListing(directory),
                       [".ckpt-3.safetensors.tmp-99-abc", "ckpt-10.safetensors", "ckpt-40.safetensors", "ckpt-7.safetensors.partial",
                        "ckpt-8.safetensors", "ckpt-x.safetensors", "notes.txt"])
        XCTAssertEqual(try rotation.prune(), [])
    }

    func testFewerFilesThanKeepDeletesNothing() throws {
        try touch("ckpt-3.safetensors")
        let rotation = CheckpointRotation(directory: directory, keep: 5)
        XCTAssertEqual(try rotation.prune(), [])
        XCTAssertEqual(try checkpointTestListing(directory), ["ckpt-3.safetensors"])
    }

    func testMissingFolderHasNoCheckpoints() throws {
        let rotation = CheckpointRotation(directory: directory.appendingPathComponent("nope"), keep: 1)
        XCTAssertEqual(try rotation.checkpoints(), [])
        XCTAssertNil(try rotation.latest())
        XCTAssertEqual(try rotation.prune(), [])
    }

    func testFolderThatIsAFileIsAnError() throws {
        try touch("file")
        let rotation = CheckpointRotation(directory: directory.appendingPathComponent("file"), keep: 1)
        XCTAssertThrowsError(try rotation.checkpoints()) { error in
            guard case .cannotList(let path, _)? = error as? CheckpointRotationError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("/file"))
        }
    }

    /// The intended loop: save atomically, then prune; resume from `latest()`.
    func testSaveAndRotateLoop() throws {
        let rotation = CheckpointRotation(directory: directory, keep: 3)
        for step in stride(from: 100, through: 1000, by: 100) {
            let entries = [SafeTensorsEntry(name: "w", shape: [2], floats: [Float(step), 1])]
            try SafeTensorsFile.write(entries: entries, metadata: ["step": "\(step)"], to: rotation.url(forStep: step))
            try rotation.prune()
        }
        XCTAssertEqual(try checkpointTestListing(directory), ["ckpt-1000.safetensors", "ckpt-800.safetensors", "ckpt-900.safetensors"])
        let latest = try XCTUnwrap(try rotation.latest())
        let archive = try SafeTensorsFile.read(from: latest.url)
        XCTAssertEqual(archive.metadata["step"], "1000")
        XCTAssertEqual(try archive["w"]?.floatValues(), [1000, 1])
    }
}
