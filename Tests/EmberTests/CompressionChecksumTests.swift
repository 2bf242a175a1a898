import Foundation
import XCTest
@testable import Ember

final class CompressionTests: XCTestCase {
    /// Deterministic pseudo-random bytes (xorshift), partly compressible.
    static func sampleBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> Data {
        var state = seed
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes[i] = i % 3 == 0 ? UInt8(i % 251) : UInt8(truncatingIfNeeded: state)
        }
        return Data(bytes)
    }

    func testGzipRoundTripVariousSizes() throws {
        for size in [0, 1, 2, 100, 65_537, 1_000_003] {
            let input = Self.sampleBytes(size)
            for level in [0, 1, 6, 9] {
                let packed = try Gzip.compress(input, level: level)
                XCTAssertEqual(Array(packed.prefix(2)), [0x1F, 0x8B])
                XCTAssertEqual(try Gzip.decompress(packed), input, "size \(size) level \(level)")
            }
        }
    }

    func testZlibFormatRoundTrip() throws {
        let input = Data(repeating: 42, count: 10_000)
        let packed = try Zlib.compress(input, level: 9)
        XCTAssertEqual(packed.first, 0x78)  // CMF: deflate, 32K window
        XCTAssertEqual((Int(packed[0]) << 8 | Int(packed[1])) % 31, 0)
        XCTAssertLessThan(packed.count, 100)
        XCTAssertEqual(try Zlib.decompress(packed), input)
        XCTAssertEqual(try Gzip.decompress(packed), input)  // auto-detected
    }

    func testDecompressPythonGzipFixture() throws {
        // gzip.compress(b"hello world\n", mtime=0) from CPython 3.11.
        let fixture = Data([31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 72, 205, 201, 201, 87, 40, 207, 47, 202, 73,
                            225, 2, 0, 45, 59, 8, 175, 12, 0, 0, 0])
        XCTAssertEqual(String(decoding: try Gzip.decompress(fixture), as: UTF8.self), "hello world\n")
    }

    func testMultiMemberGzip() throws {
        var joined = try Gzip.compress(Data("first,".utf8))
        joined.append(try Gzip.compress(Data("second,".utf8)))
        joined.append(try Gzip.compress(Data()))
        joined.append(try Gzip.compress(Data("third".utf8)))
        XCTAssertEqual(String(decoding: try Gzip.decompress(joined), as: UTF8.self), "first,second,third")
        // Trailing zero padding is tolerated.
        joined.append(Data(repeating: 0, count: 7))
        XCTAssertEqual(try Gzip.decompress(joined).count, 18)
    }

    func testTruncatedGzipThrows() throws {
        let packed = try Gzip.compress(Self.sampleBytes(50_000))
        for keep in [1, 5, 10, packed.count / 2, packed.count - 4, packed.count - 1] {
            XCTAssertThrowsError(try Gzip.decompress(packed.prefix(keep)), "kept \(keep)") { error in
                guard case CompressionError.truncated = error else {
                    return XCTFail("expected truncated for \(keep) bytes, got \(error)")
                }
                XCTAssertTrue("\(error)".contains("truncated"))
            }
        }
    }

    func testCorruptGzipThrows() throws {
        let input = Self.sampleBytes(20_000)
        var packed = try Gzip.compress(input)
        // A flipped byte in the trailer's CRC must be detected.
        packed[packed.count - 6] ^= 0xFF
        XCTAssertThrowsError(try Gzip.decompress(packed)) { error in
            guard case CompressionError.corrupt(let message) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(message.contains("check"), message)
        }
        // Garbage in the deflate stream.
        var mangled = try Gzip.compress(input)
        for i in 12..<40 { mangled[i] = 0xFF }
        XCTAssertThrowsError(try Gzip.decompress(mangled))
        // Bad compression method in the header.
        var badHeader = try Gzip.compress(input)
        badHeader[2] = 7
        XCTAssertThrowsError(try Gzip.decompress(badHeader)) { error in
            guard case CompressionError.corrupt = error else { return XCTFail("got \(error)") }
        }
    }

    func testNotCompressedEmptyAndTrailingGarbage() throws {
        XCTAssertThrowsError(try Gzip.decompress(Data())) { XCTAssertEqual($0 as? CompressionError, .emptyInput) }
        XCTAssertThrowsError(try Gzip.decompress(Data("plain text".utf8))) { error in
            guard case CompressionError.notCompressed(let first) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(first, Array("plain te".utf8))
        }
        var packed = try Gzip.compress(Data("abc".utf8))
        let end = packed.count
        packed.append(contentsOf: [1, 2, 3])
        XCTAssertThrowsError(try Gzip.decompress(packed)) { error in
            XCTAssertEqual(error as? CompressionError, .trailingGarbage(offset: end, count: 3))
        }
        XCTAssertThrowsError(try Gzip.compress(Data(), level: 10)) {
            XCTAssertEqual($0 as? CompressionError, .invalidLevel(10))
        }
    }
}

final class ChecksumTests: XCTestCase {
    let check = Array("123456789".utf8)

    func testCRC32CheckValues() {
        XCTAssertEqual(CRC32.checksum(check), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32.checksum(Array("IEND".utf8)), 0xAE42_6082)  // the CRC of every PNG's IEND chunk
        var incremental = CRC32()
        incremental.update(Array(check[0..<4]))
        incremental.update(Data(check[4...]))
        XCTAssertEqual(incremental.value, 0xCBF4_3926)
    }

    func testCRC32CCheckValues() {
        XCTAssertEqual(CRC32C.checksum(check), 0xE306_9283)
        XCTAssertEqual(CRC32C.masked(0xE306_9283), 0xC78A_B0E5)
        XCTAssertEqual(CRC32C.maskedChecksum(check), 0xC78A_B0E5)
        // RFC 3720 (iSCSI) appendix B.4 vectors.
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
        // Slicing-by-8 and the byte loop agree at every split point.
        let data = Array(CompressionTests.sampleBytes(1000))
        let whole = CRC32C.checksum(data)
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            var crc = CRC32C()
            crc.update(Array(data[0..<split]))
            crc.update(Array(data[split...]))
            XCTAssertEqual(crc.value, whole, "split \(split)")
        }
    }

    func testMD5RFC1321Suite() {
        let suite: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
            ("The quick brown fox jumps over the lazy dog", "9e107d9d372bb6826bd81d3542a419d6"),
        ]
        for (text, digest) in suite {
            XCTAssertEqual(MD5.hexDigest(of: Array(text.utf8)), digest, text)
        }
        // 55, 56, 63, 64 and 65 bytes cross the padding boundaries.
        XCTAssertEqual(MD5.hexDigest(of: [UInt8](repeating: 0x61, count: 64)), "014842d480b571495a4a0363793f7367")
        XCTAssertEqual(MD5.digest([UInt8]()).count, 16)
    }

    func testMD5IncrementalMatchesOneShot() {
        let data = Array(CompressionTests.sampleBytes(10_000))
        let whole = MD5.hexDigest(of: data)
        for piece in [1, 3, 63, 64, 65, 1000] {
            var md5 = MD5()
            var i = 0
            while i < data.count {
                md5.update(Array(data[i..<min(i + piece, data.count)]))
                i += piece
            }
            XCTAssertEqual(md5.hexString(), whole, "pieces of \(piece)")
            XCTAssertEqual(md5.hexString(), whole, "finalize must not change the state")
        }
    }

    func testMD5OfRealDatasetFileMatchesPublishedChecksum() throws {
        let url = URL(fileURLWithPath: TestPaths.datasets + "/mnist/t10k-labels-idx1-ubyte.gz")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: url.path), "datasets not available")
        XCTAssertEqual(try MD5.hexDigest(ofFileAt: url), "ec29112dd5afa0611ce80d1b7f02629c")
    }
}

enum TestPaths {
    /// The shared data sets folder: EMBER_DATASETS if set, else `../shared/datasets` beside the
    /// package root, else `/work/shared/datasets`. Tests that need it skip when it is missing.
    static let datasets: String = {
        if let path = ProcessInfo.processInfo.environment["EMBER_DATASETS"] { return path }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let beside = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets").path
        return FileManager.default.fileExists(atPath: beside) ? beside : "/work/shared/datasets"
    }()

    /// A fresh empty temporary directory.
    static func temporaryDirectory(_ name: String = #function) throws -> URL {
        let cleaned = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ember-tests-\(cleaned)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
