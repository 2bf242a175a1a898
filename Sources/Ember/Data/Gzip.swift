// Gzip and zlib (de)compression on top of the system zlib.
//
// Foundation on Linux has no gzip API, so Ember talks to zlib directly through the `CZlib`
// system-library target. zlib's `inflateInit2`/`deflateInit2` are C macros, which Swift does not
// import; the underscored functions they expand to are called instead.

import CZlib
import Foundation

/// An error raised while compressing or decompressing gzip or zlib data.
///
/// The description names the problem in words, for example
/// `gzip data is truncated: the stream ended after 1234 decompressed bytes`.
public enum CompressionError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The input was empty; there is nothing to decompress.
    case emptyInput
    /// The input starts with neither the gzip magic (`1f 8b`) nor a valid zlib header.
    case notCompressed(firstBytes: [UInt8])
    /// The input ended before the compressed stream was complete (a partial download, for example).
    case truncated(decompressedBytes: Int)
    /// zlib found invalid data (a bad block, a wrong checksum, a bad header); the message is zlib's.
    case corrupt(message: String)
    /// After the last complete gzip member there are bytes that are neither padding nor another member.
    case trailingGarbage(offset: Int, count: Int)
    /// The compression level is outside `-1...9`.
    case invalidLevel(Int)
    /// zlib reported an unexpected failure (out of memory, version mismatch).
    case zlibFailure(function: String, code: Int32)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .emptyInput:
            return "compressed data is empty: there is nothing to decompress"
        case .notCompressed(let bytes):
            let hex = bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
            return "data is neither gzip (magic 1f 8b) nor zlib: it starts with \(hex)"
        case .truncated(let n):
            return "compressed data is truncated: the input ended after \(n) decompressed bytes, "
                + "before the end of the stream (incomplete download or cut-off file?)"
        case .corrupt(let message):
            return "compressed data is corrupt: \(message)"
        case .trailingGarbage(let offset, let count):
            return "compressed data has \(count) unexpected trailing bytes at offset \(offset) "
                + "after the end of the stream"
        case .invalidLevel(let level):
            return "compression level \(level) is invalid: use -1 (default) or 0...9"
        case .zlibFailure(let function, let code):
            return "zlib \(function) failed with code \(code)"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// Gzip (RFC 1952) compression and decompression.
///
/// ```swift
/// let bytes = try Gzip.decompress(Data(contentsOf: url))   // .gz or zlib data
/// let packed = try Gzip.compress(bytes)
/// ```
public enum Gzip {
    /// Decompresses gzip data (one or several concatenated members, as `cat a.gz b.gz` makes) or
    /// zlib-wrapped data (RFC 1950); the format is detected from the header.
    ///
    /// Trailing zero bytes after the last member (tape padding) are ignored.
    /// - Throws: ``CompressionError`` when the data is empty, not compressed, truncated or corrupt.
    public static func decompress(_ data: Data) throws -> Data {
        guard !data.isEmpty else { throw CompressionError.emptyInput }
        if data.count == 1, let only = data.first, only == 0x1F || only & 0x0F == 8 {
            throw CompressionError.truncated(decompressedBytes: 0)   // a header cut after one byte
        }
        let header = Array(data.prefix(2))
        let isGzip = header.count == 2 && header[0] == 0x1F && header[1] == 0x8B
        let isZlib = header.count == 2 && header[0] & 0x0F == 8 && header[0] >> 4 <= 7
            && (UInt16(header[0]) << 8 | UInt16(header[1])) % 31 == 0
        guard isGzip || isZlib else {
            throw CompressionError.notCompressed(firstBytes: Array(data.prefix(8)))
        }
        return try data.withUnsafeBytes { raw in
            try ZlibStream.inflateAll(raw, windowBits: 15 + 32, allowMembers: isGzip)
        }
    }

    /// Compresses `data` into a single gzip member.
    /// - Parameter level: 0 (store) to 9 (smallest); -1 is zlib's default (6).
    /// - Throws: ``CompressionError/invalidLevel(_:)`` for a level outside `-1...9`.
    public static func compress(_ data: Data, level: Int = -1) throws -> Data {
        try ZlibStream.deflateAll(data, level: level, windowBits: 15 + 16)
    }
}

/// zlib-format (RFC 1950) compression and decompression, as used inside PNG files.
public enum Zlib {
    /// Compresses `data` into the zlib format (2-byte header, deflate stream, Adler-32).
    /// - Parameter level: 0 (store) to 9 (smallest); -1 is zlib's default (6).
    /// - Throws: ``CompressionError/invalidLevel(_:)`` for a level outside `-1...9`.
    public static func compress(_ data: Data, level: Int = -1) throws -> Data {
        try ZlibStream.deflateAll(data, level: level, windowBits: 15)
    }

    /// Decompresses zlib-format data (gzip data is accepted too).
    /// - Throws: ``CompressionError`` when the data is empty, truncated or corrupt.
    public static func decompress(_ data: Data) throws -> Data {
        try Gzip.decompress(data)
    }
}

/// The zlib calls shared by ``Gzip`` and ``Zlib``.
enum ZlibStream {
    static let chunkSize = 1 << 18

    static func inflateAll(_ raw: UnsafeRawBufferPointer, windowBits: Int32, allowMembers: Bool) throws -> Data {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else {
            throw CompressionError.emptyInput
        }
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw CompressionError.zlibFailure(function: "inflateInit2", code: initStatus) }
        defer { inflateEnd(&stream) }

        var output = Data()
        output.reserveCapacity(min(raw.count * 4, 1 << 28))
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { buffer.deallocate() }

        var consumed = 0          // bytes of input handed to zlib and consumed
        stream.next_in = UnsafeMutablePointer(mutating: base)
        stream.avail_in = 0
        while true {
            if stream.avail_in == 0 && consumed < raw.count {
                let n = min(raw.count - consumed, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                stream.avail_in = UInt32(n)
                consumed += n
            }
            stream.next_out = buffer
            stream.avail_out = UInt32(chunkSize)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = chunkSize - Int(stream.avail_out)
            if produced > 0 { output.append(buffer, count: produced) }

            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                let position = consumed - Int(stream.avail_in)
                let remaining = raw.count - position
                if remaining == 0 { return output }
                let rest = UnsafeRawBufferPointer(start: base + position, count: remaining)
                if allowMembers && remaining >= 2 && rest[0] == 0x1F && rest[1] == 0x8B {
                    let resetStatus = inflateReset(&stream)
                    guard resetStatus == Z_OK else {
                        throw CompressionError.zlibFailure(function: "inflateReset", code: resetStatus)
                    }
                    continue   // next gzip member; next_in/avail_in already point at it
                }
                if rest.allSatisfy({ $0 == 0 }) { return output }
                throw CompressionError.trailingGarbage(offset: position, count: remaining)
            case Z_BUF_ERROR:
                // No progress was possible: with all input consumed, the stream is cut off.
                if stream.avail_in == 0 && consumed >= raw.count {
                    throw CompressionError.truncated(decompressedBytes: output.count)
                }
                continue
            case Z_DATA_ERROR:
                let message = stream.msg.map { String(cString: $0) } ?? "invalid deflate data"
                throw CompressionError.corrupt(message: message)
            case Z_NEED_DICT:
                throw CompressionError.corrupt(message: "stream needs a preset dictionary")
            default:
                throw CompressionError.zlibFailure(function: "inflate", code: status)
            }
        }
    }

    static func deflateAll(_ data: Data, level: Int, windowBits: Int32) throws -> Data {
        guard (-1...9).contains(level) else { throw CompressionError.invalidLevel(level) }
        var stream = z_stream()
        let initStatus = deflateInit2_(&stream, Int32(level), Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                                       zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw CompressionError.zlibFailure(function: "deflateInit2", code: initStatus) }
        defer { deflateEnd(&stream) }

        var output = Data()
        output.reserveCapacity(data.count / 2 + 64)
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { buffer.deallocate() }

        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            var consumed = 0
            stream.avail_in = 0
            while true {
                if stream.avail_in == 0 && consumed < raw.count, let base {
                    let n = min(raw.count - consumed, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                    stream.avail_in = UInt32(n)
                    consumed += n
                }
                let flush = consumed >= raw.count ? Z_FINISH : Z_NO_FLUSH
                stream.next_out = buffer
                stream.avail_out = UInt32(chunkSize)
                let status = deflate(&stream, flush)
                let produced = chunkSize - Int(stream.avail_out)
                if produced > 0 { output.append(buffer, count: produced) }
                if status == Z_STREAM_END { return }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    throw CompressionError.zlibFailure(function: "deflate", code: status)
                }
            }
        }
        return output
    }
}
