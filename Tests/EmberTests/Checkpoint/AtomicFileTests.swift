import Foundation
import XCTest
@testable import Ember
#if canImport(Glibc)
import Glibc
#endif

final class AtomicFileTests: XCTestCase {
    private struct ProducerFailure: Error, Equatable {}

    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeCheckpointTestDirectory(name)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func testWritesNewFileAndLeavesNoTemporaryFiles() throws {
        let url = directory.appendingPathComponent("a.bin")
        try AtomicFile.write(data: Data([1, 2, 3]), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data([1, 2, 3]))
        XCTAssertEqual(try checkpointTestListing(directory), ["a.bin"])
    }

    func testReplacesExistingFile() throws {
        let url = directory.appendingPathComponent("a.bin")
        try Data(repeating: 9, count: 1000).write(to: url)
        try AtomicFile.write(data: Data([4, 5]), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data([4, 5]))
        XCTAssertEqual(try checkpointTestListing(directory), ["a.bin"])
    }

    func testStreamingWriter() throws {
        let url = directory.appendingPathComponent("s.bin")
        var seenCount = 0
        try AtomicFile.write(to: url) { file in
            try file.write([1, 2])
            try file.write(Data([3]))
            try [UInt8](repeating: 4, count: 3).withUnsafeBytes { try file.write($0) }
            seenCount = file.byteCount
            XCTAssertEqual(file.target, url.path)
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.temporaryPath))
            XCTAssertTrue(URL(fileURLWithPath: file.temporaryPath).lastPathComponent.hasPrefix(".s.bin.tmp-"))
        }
        XCTAssertEqual(seenCount, 6)
        XCTAssertEqual(try Data(contentsOf: url), Data([1, 2, 3, 4, 4, 4]))
    }

    /// A save that fails midway (the producer throws after writing part of the data) must leave
    /// the previous checkpoint intact and remove its temporary file.
    func testPreviousFileSurvivesAFailureMidway() throws {
        let url = directory.appendingPathComponent("ckpt.safetensors")
        let good = [SafeTensorsEntry(name: "w", shape: [2], floats: [1, 2])]
        try SafeTensorsFile.write(entries: good, to: url)
        let before = try Data(contentsOf: url)

        XCTAssertThrowsError(try AtomicFile.write(to: url) { file in
            try file.write([UInt8](repeating: 0xAB, count: 4096))
            throw ProducerFailure()
        }) { error in
            guard case .contentsFailed(let target, let underlying)? = error as? AtomicFileError else { return XCTFail("\(error)") }
            XCTAssertEqual(target, url.path)
            XCTAssertEqual(underlying as? ProducerFailure, ProducerFailure())
            XCTAssertTrue("\(error)".contains(url.path))
        }
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try SafeTensorsFile.read(from: url).entries, good)
        XCTAssertEqual(try checkpointTestListing(directory), ["ckpt.safetensors"])
    }

    #if os(Linux)
    /// A real write failure from the operating system halfway through the data (the file size
    /// limit is lowered so `write(2)` fails with EFBIG, as it would with ENOSPC on a full disk).
    func testPreviousFileSurvivesAnOperatingSystemWriteFailure() throws {
        let url = directory.appendingPathComponent("ckpt.safetensors")
        let old = [SafeTensorsEntry(name: "w", shape: [1024], floats: [Float](repeating: 1, count: 1024))]
        try SafeTensorsFile.write(entries: old, to: url)
        let before = try Data(contentsOf: url)

        var original = rlimit()
        XCTAssertEqual(getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &original), 0)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var lowered = original
        lowered.rlim_cur = 1000
        XCTAssertEqual(setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &lowered), 0)
        defer {
            _ = setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &original)
            _ = signal(SIGXFSZ, previousHandler)
        }

        let new = [SafeTensorsEntry(name: "w", shape: [2048], floats: [Float](repeating: 2, count: 2048))]
        XCTAssertThrowsError(try SafeTensorsFile.write(entries: new, to: url)) { error in
            guard case .io(let path, let reason)? = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue(reason.contains("File too large"), reason)
        }
        _ = setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &original)
        XCTAssertEqual(try Data(contentsOf: url), before)
        XCTAssertEqual(try SafeTensorsFile.read(from: url).entries, old)
        XCTAssertEqual(try checkpointTestListing(directory), ["ckpt.safetensors"])
    }
    #endif

    func testRenameFailureLeavesTargetAndRemovesTemporaryFile() throws {
        // The target is a non-empty folder: rename(2) cannot replace it.
        let url = directory.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        try Data([7]).write(to: url.appendingPathComponent("inside"))
        XCTAssertThrowsError(try AtomicFile.write(data: Data([1]), to: url)) { error in
            guard case .renameFailed(let target, _, _)? = error as? AtomicFileError else { return XCTFail("\(error)") }
            XCTAssertEqual(target, url.path)
        }
        XCTAssertEqual(try checkpointTestListing(directory), ["occupied"])
        XCTAssertEqual(try checkpointTestListing(url), ["inside"])
    }

    func testMissingFolderFailsBeforeWriting() {
        let url = directory.appendingPathComponent("no/such/folder/x.bin")
        XCTAssertThrowsError(try AtomicFile.write(data: Data([1]), to: url)) { error in
            guard case .createTemporaryFailed(let target, _, let reason)? = error as? AtomicFileError else { return XCTFail("\(error)") }
            XCTAssertEqual(target, url.path)
            XCTAssertTrue(reason.contains("No such file or directory"), reason)
        }
    }

    func testSafeTensorsWriteReportsIOErrorsWithThePath() {
        let url = directory.appendingPathComponent("missing/x.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile.write(entries: [], to: url)) { error in
            guard case .io(let path, _)? = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
        }
    }

    func testWriterCannotBeUsedAfterTheCall() throws {
        let url = directory.appendingPathComponent("a.bin")
        var escaped: AtomicFile.Writer?
        try AtomicFile.write(to: url) { file in escaped = file }
        XCTAssertThrowsError(try escaped?.write([1])) { error in
            guard case .writeFailed? = error as? AtomicFileError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try Data(contentsOf: url), Data())
    }

    func testManySequentialSavesLeaveOnlyTheTarget() throws {
        let url = directory.appendingPathComponent("m.safetensors")
        for step in 0..<20 {
            try SafeTensorsFile.write(entries: [SafeTensorsEntry(name: "step", shape: [], integers: [Int64(step)])], to: url)
        }
        XCTAssertEqual(try SafeTensorsFile.read(from: url)["step"]?.int64Values(), [19])
        XCTAssertEqual(try checkpointTestListing(directory), ["m.safetensors"])
    }
}
