import Foundation
import XCTest
@testable import Ember

final class IDXFileTests: XCTestCase {
    func testRoundTripPlainAndGzip() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let array = IDXArray(shape: [2, 3, 4], bytes: (0..<24).map { UInt8($0 * 10) })
        let plain = dir.appendingPathComponent("a-idx3-ubyte")
        let packed = dir.appendingPathComponent("a-idx3-ubyte.gz")
        try IDXFile.write(array, to: plain)
        try IDXFile.write(array, to: packed, gzip: true)
        let raw = try Data(contentsOf: plain)
        XCTAssertEqual(Array(raw.prefix(16)), [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4])
        XCTAssertEqual(raw.count, 16 + 24)
        XCTAssertEqual(try IDXFile.read(plain), array)
        XCTAssertEqual(try IDXFile.read(packed), array)

        let labels = IDXArray(shape: [5], bytes: [7, 2, 1, 0, 4])
        XCTAssertEqual(Array(try IDXFile.encode(labels).prefix(8)), [0, 0, 8, 1, 0, 0, 0, 5])
        XCTAssertEqual(try IDXFile.parse(IDXFile.encode(labels)), labels)
        let scalar = IDXArray(shape: [], bytes: [9])
        XCTAssertEqual(try IDXFile.parse(IDXFile.encode(scalar)), scalar)
    }

    func testOtherElementTypes() throws {
        // Big-endian float32 1.5 and -2.0, int16 -2 and 300.
        let floats = try IDXFile.parse(Data([0, 0, 0x0D, 1, 0, 0, 0, 2, 0x3F, 0xC0, 0, 0, 0xC0, 0, 0, 0]))
        XCTAssertEqual(floats.dataType, .float32)
        XCTAssertEqual(floats.floatValues(), [1.5, -2.0])
        let shorts = try IDXFile.parse(Data([0, 0, 0x0B, 1, 0, 0, 0, 2, 0xFF, 0xFE, 0x01, 0x2C]))
        XCTAssertEqual(shorts.floatValues(), [-2, 300])
        let signed = try IDXFile.parse(Data([0, 0, 0x09, 1, 0, 0, 0, 1, 0xFF]))
        XCTAssertEqual(signed.floatValues(), [-1])
    }

    func testWrongMagic() throws {
        XCTAssertThrowsError(try IDXFile.parse(Data([0x50, 0x4B, 3, 4, 0, 0, 0, 0]), path: "x.zip")) { error in
            XCTAssertEqual(error as? IDXError, .badMagic(path: "x.zip", magic: 0x504B_0304))
            XCTAssertTrue("\(error)".contains("x.zip"))
            XCTAssertTrue("\(error)".contains("magic"))
        }
        XCTAssertThrowsError(try IDXFile.parse(Data([0, 0, 0x07, 1, 0, 0, 0, 0]))) { error in
            guard case IDXError.badMagic = error else { return XCTFail("got \(error)") }
        }
    }

    func testTruncatedAndOversized() throws {
        XCTAssertThrowsError(try IDXFile.parse(Data([0, 0, 8]))) {
            XCTAssertEqual($0 as? IDXError, .truncatedHeader(path: "<memory>", byteCount: 3))
        }
        XCTAssertThrowsError(try IDXFile.parse(Data([0, 0, 8, 3, 0, 0, 0, 2, 0, 0]))) { error in
            guard case IDXError.truncatedHeader = error else { return XCTFail("got \(error)") }
        }
        let full = try IDXFile.encode(IDXArray(shape: [2, 3], bytes: [1, 2, 3, 4, 5, 6]))
        XCTAssertThrowsError(try IDXFile.parse(full.prefix(full.count - 2))) {
            XCTAssertEqual($0 as? IDXError,
                           .truncatedData(path: "<memory>", shape: [2, 3], expectedBytes: 6, actualBytes: 4))
        }
        XCTAssertThrowsError(try IDXFile.parse(full + Data([0]))) {
            XCTAssertEqual($0 as? IDXError,
                           .sizeMismatch(path: "<memory>", shape: [2, 3], expectedBytes: 6, actualBytes: 7))
        }
        // Huge dimensions must not overflow or allocate.
        let huge = Data([0, 0, 8, 4] + [UInt8](repeating: 0xFF, count: 16))
        XCTAssertThrowsError(try IDXFile.parse(huge)) { error in
            guard case IDXError.shapeTooLarge = error else { return XCTFail("got \(error)") }
        }
        XCTAssertThrowsError(try IDXFile.encode(IDXArray(shape: [3], bytes: [1, 2])))
    }

    func testMissingFileAndCorruptGzip() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nope-idx1-ubyte.gz")
        XCTAssertThrowsError(try IDXFile.read(missing)) {
            XCTAssertEqual($0 as? IDXError, .fileNotFound(path: missing.path))
        }
        XCTAssertThrowsError(try IDXFile.read(dir)) { error in
            guard case IDXError.unreadable = error else { return XCTFail("got \(error)") }
        }
        let packed = try Gzip.compress(IDXFile.encode(IDXArray(shape: [1000], bytes: [UInt8](repeating: 3, count: 1000))))
        let cut = dir.appendingPathComponent("cut-idx1-ubyte.gz")
        try packed.prefix(packed.count - 10).write(to: cut)
        XCTAssertThrowsError(try IDXFile.read(cut)) { error in
            guard case IDXError.badCompression(let path, let reason) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(path, cut.path)
            XCTAssertTrue(reason.contains("truncated"), reason)
        }
    }
}

final class MNISTRawTests: XCTestCase {
    func testRealMNISTTestSplit() throws {
        let dir = URL(fileURLWithPath: TestPaths.datasets + "/mnist")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: dir.path), "datasets not available")
        let test = try MNISTRaw.load(directory: dir, split: .test)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(test.rows, 28)
        XCTAssertEqual(test.cols, 28)
        XCTAssertEqual(test.images.count, 10_000 * 784)
        XCTAssertEqual(Array(test.labels.prefix(10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        var histogram = [Int](repeating: 0, count: 10)
        for label in test.labels { histogram[Int(label)] += 1 }
        XCTAssertEqual(histogram, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        XCTAssertEqual(test.image(0).reduce(0) { $0 + Int($1) }, 18_454)
        XCTAssertEqual(test.images.reduce(0) { $0 + Int($1) }, 264_923_200)
        // The training split is not in the shared folder: a clear error names the file.
        XCTAssertThrowsError(try MNISTRaw.load(directory: dir, split: .train)) { error in
            guard case MNISTError.fileNotFound(_, let candidates) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(candidates, ["train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"])
        }
    }

    func testRealFashionMNISTBothSplits() throws {
        let dir = URL(fileURLWithPath: TestPaths.datasets + "/fashion-mnist")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: dir.path), "datasets not available")
        let train = try MNISTRaw.load(directory: dir, split: .train)
        let test = try MNISTRaw.load(directory: dir, split: .test)
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(Array(train.labels.prefix(6)), [9, 0, 0, 3, 0, 2])
        XCTAssertEqual(Array(test.labels.prefix(6)), [9, 2, 1, 1, 6, 1])
        XCTAssertEqual(train.image(0).reduce(0) { $0 + Int($1) }, 76_247)
        XCTAssertEqual(test.image(0).reduce(0) { $0 + Int($1) }, 33_456)
        var histogram = [Int](repeating: 0, count: 10)
        for label in train.labels { histogram[Int(label)] += 1 }
        XCTAssertEqual(histogram, [Int](repeating: 6000, count: 10))
    }

    func testMissingDirectory() {
        let dir = URL(fileURLWithPath: "/nonexistent/ember/mnist")
        XCTAssertThrowsError(try MNISTRaw.load(directory: dir, split: .test)) { error in
            XCTAssertEqual(error as? MNISTError, .directoryNotFound(path: dir.path))
            XCTAssertTrue("\(error)".contains("/nonexistent/ember/mnist"))
        }
    }

    func testCountMismatchAndShapes() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = IDXArray(shape: [3, 28, 28], bytes: [UInt8](repeating: 1, count: 3 * 784))
        try IDXFile.write(images, to: dir.appendingPathComponent("t10k-images-idx3-ubyte.gz"), gzip: true)
        // Missing label file.
        XCTAssertThrowsError(try MNISTRaw.load(directory: dir, split: .test)) { error in
            guard case MNISTError.fileNotFound = error else { return XCTFail("got \(error)") }
        }
        // Two labels for three images; uncompressed, dotted spelling.
        try IDXFile.write(IDXArray(shape: [2], bytes: [1, 2]), to: dir.appendingPathComponent("t10k-labels.idx1-ubyte"))
        XCTAssertThrowsError(try MNISTRaw.load(directory: dir, split: .test)) { error in
            XCTAssertEqual(error as? MNISTError, .countMismatch(directory: dir.path, images: 3, labels: 2))
            XCTAssertTrue("\(error)".contains("3 images but 2 labels"))
        }
        try IDXFile.write(IDXArray(shape: [3], bytes: [1, 2, 3]), to: dir.appendingPathComponent("t10k-labels.idx1-ubyte"))
        let ok = try MNISTRaw.load(directory: dir, split: .test)
        XCTAssertEqual(ok.labels, [1, 2, 3])
        XCTAssertEqual(ok.count, 3)

        // Wrong image size.
        let small = IDXArray(shape: [3, 5, 5], bytes: [UInt8](repeating: 1, count: 75))
        try IDXFile.write(small, to: dir.appendingPathComponent("t10k-images-idx3-ubyte.gz"), gzip: true)
        XCTAssertThrowsError(try MNISTRaw.load(directory: dir, split: .test)) { error in
            guard case MNISTError.unexpectedShape(_, let shape, _) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(shape, [3, 5, 5])
        }
        XCTAssertEqual(try MNISTRaw.load(directory: dir, split: .test, expectedImageSize: nil).rows, 5)

        // A corrupt file surfaces the IDX error with its path.
        try Data([1, 2, 3, 4, 5, 6, 7, 8]).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        XCTAssertThrowsError(try MNISTRaw.load(directory: dir, split: .test)) { error in
            guard case MNISTError.badFile(.badMagic(let path, _)) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(path.hasSuffix("t10k-images-idx3-ubyte.gz"))
        }
        XCTAssertThrowsError(try MNISTRaw(images: [1, 2, 3], labels: [1]))

        let tiny = try MNISTRaw(images: [0, 51, 255, 255], labels: [4], rows: 2, cols: 2)
        XCTAssertEqual(tiny.normalizedImages(), [0, 0.2, 1, 1])
        XCTAssertEqual(tiny.normalizedImages(mean: 0.5, std: 0.5), [-1, -0.6, 1, 1])
    }
}

final class DownloadTests: XCTestCase {
    func testDownloadVerifiesChecksumAndRenames() throws {
        let body = CompressionTests.sampleBytes(300_000)
        let md5 = MD5.hexDigest(of: body)
        let server = try LoopbackHTTPServer(routes: [
            "/good.bin": .init(body: body),
            "/other.bin": .init(body: Data("something else".utf8)),
            "/cut.bin": .init(body: body, cutAfter: 1000),
        ])
        defer { server.stop() }
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("sub/folder/good.bin")

        XCTAssertTrue(try Download.file(from: server.url("/good.bin"), to: target, md5: md5.uppercased()))
        XCTAssertEqual(try Data(contentsOf: target), body)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path),
                       ["good.bin"], "no temporary file left")

        // Already present with the right checksum: no request at all.
        let before = server.requests.count
        XCTAssertFalse(try Download.file(from: server.url("/good.bin"), to: target, md5: md5))
        XCTAssertEqual(server.requests.count, before)

        // Checksum mismatch: the old file stays untouched and nothing else appears.
        let mismatchTarget = dir.appendingPathComponent("mismatch.bin")
        XCTAssertThrowsError(try Download.file(from: server.url("/other.bin"), to: mismatchTarget, md5: md5)) { error in
            guard case DownloadError.checksumMismatch(_, let expected, let actual) = error else {
                return XCTFail("got \(error)")
            }
            XCTAssertEqual(expected, md5)
            XCTAssertEqual(actual, MD5.hexDigest(of: Array("something else".utf8)))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: mismatchTarget.path))
        XCTAssertThrowsError(try Download.file(from: server.url("/other.bin"), to: target,
                                               md5: "00000000000000000000000000000000"))
        XCTAssertEqual(try Data(contentsOf: target), body, "a failed download must not replace the old file")

        // HTTP 404 and a connection cut mid-body.
        let missingTarget = dir.appendingPathComponent("missing.bin")
        XCTAssertThrowsError(try Download.file(from: server.url("/missing.bin"), to: missingTarget, md5: nil)) { error in
            XCTAssertEqual(error as? DownloadError, .httpStatus(url: server.url("/missing.bin").absoluteString, code: 404))
        }
        XCTAssertThrowsError(try Download.file(from: server.url("/cut.bin"), to: missingTarget, md5: md5)) { error in
            guard case DownloadError.transport = error else { return XCTFail("got \(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missingTarget.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["sub"],
                       "no temporary files left behind")

        XCTAssertThrowsError(try Download.file(from: server.url("/good.bin"), to: target, md5: "xyz")) {
            XCTAssertEqual($0 as? DownloadError, .invalidChecksum("xyz"))
        }
    }

    func testStalledServerTimesOut() throws {
        let server = try LoopbackHTTPServer(routes: ["/slow.bin": .init(body: Data([1, 2, 3]), stallSeconds: 4)])
        defer { server.stop() }
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let start = Date()
        XCTAssertThrowsError(try Download.file(from: server.url("/slow.bin"), to: dir.appendingPathComponent("slow.bin"),
                                               md5: nil, timeout: 1)) { error in
            guard case DownloadError.transport(_, let reason) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(reason.contains("timed out"), reason)
        }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 3.5, "the 1 s timeout must fire before the server gives up")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testUnreachableServerGivesClearError() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = LoopbackHTTPServer.closedPort()
        let url = URL(string: "http://127.0.0.1:\(port)/file.gz")!
        let target = dir.appendingPathComponent("file.gz")
        XCTAssertThrowsError(try Download.file(from: url, to: target, md5: nil, timeout: 10)) { error in
            guard case DownloadError.transport(let failedURL, let reason) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(failedURL, url.absoluteString)
            XCTAssertTrue(reason.contains("connect"), reason)
            XCTAssertTrue("\(error)".contains("127.0.0.1:\(port)"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testMNISTDownloaderAgainstLoopbackMirror() throws {
        let source = URL(fileURLWithPath: TestPaths.datasets + "/mnist")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: source.path), "datasets not available")
        let images = try Data(contentsOf: source.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        let labels = try Data(contentsOf: source.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let server = try LoopbackHTTPServer(routes: [
            "/mnist/t10k-images-idx3-ubyte.gz": .init(body: images),
            "/mnist/t10k-labels-idx1-ubyte.gz": .init(body: labels),
        ])
        defer { server.stop() }
        var dataset = MNISTDownloader.Dataset.mnist
        // A dead mirror first: the downloader must fall back to the next one.
        dataset.mirrors = [URL(string: "http://127.0.0.1:\(LoopbackHTTPServer.closedPort())/")!,
                           server.url("/mnist/")]
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try MNISTDownloader.download(dataset, splits: [.test], to: dir, log: nil)
        let test = try MNISTRaw.load(directory: dir, split: .test)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(test.labels.first, 7)

        // With only a wrong-content mirror, the error lists the checksum failure.
        let other = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: other) }
        dataset.mirrors = [server.url("/wrong/")]
        XCTAssertThrowsError(try MNISTDownloader.download(dataset, splits: [.test], to: other, log: nil)) { error in
            guard case DownloadError.allMirrorsFailed(let file, let failures) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(file, "t10k-images-idx3-ubyte.gz")
            XCTAssertEqual(failures.count, 1)
            XCTAssertTrue(failures[0].contains("404"), failures[0])
        }
    }
}
