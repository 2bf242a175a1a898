// TFRecord framing, the container of TensorBoard event files:
//   u64 length (little-endian) | u32 masked CRC-32C of the 8 length bytes | data | u32 masked CRC-32C of data

import Foundation

/// An error raised while reading TFRecord data.
public enum TFRecordError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The data ends inside a record (a file still being written, or cut off).
    case truncated(offset: Int)
    /// A record's length or data checksum does not match.
    case checksumMismatch(offset: Int, part: String)
    /// The file could not be read.
    case unreadable(path: String, reason: String)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .truncated(let offset): return "TFRecord data is truncated: a record at byte \(offset) is incomplete"
        case .checksumMismatch(let offset, let part):
            return "TFRecord record at byte \(offset) is corrupt: the \(part) checksum does not match"
        case .unreadable(let path, let reason): return "cannot read TFRecord file \(path): \(reason)"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// Frames and unframes TFRecord records (the format of TensorBoard event files).
public enum TFRecord {
    /// `payload` wrapped in TFRecord framing: length, masked CRC-32C of the length, the payload,
    /// masked CRC-32C of the payload.
    public static func frame(_ payload: some Collection<UInt8>) -> Data {
        let bytes = Array(payload)
        var out = Data(capacity: bytes.count + 16)
        var length = [UInt8](repeating: 0, count: 8)
        for k in 0..<8 { length[k] = UInt8(truncatingIfNeeded: UInt64(bytes.count) >> (8 * UInt64(k))) }
        out.append(contentsOf: length)
        appendLittleEndian(&out, CRC32C.maskedChecksum(length))
        out.append(contentsOf: bytes)
        appendLittleEndian(&out, CRC32C.maskedChecksum(bytes))
        return out
    }

    /// The payloads of all records in `data`, checksums verified.
    /// - Parameter allowTruncatedTail: when true, an incomplete last record (a file another
    ///   process is still writing) is ignored instead of reported.
    /// - Throws: ``TFRecordError``.
    public static func records(in data: Data, allowTruncatedTail: Bool = false) throws -> [Data] {
        let bytes = [UInt8](data)
        var out: [Data] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                if allowTruncatedTail { break }
                throw TFRecordError.truncated(offset: offset)
            }
            let lengthBytes = Array(bytes[offset..<offset + 8])
            guard readUInt32(bytes, offset + 8) == CRC32C.maskedChecksum(lengthBytes) else {
                throw TFRecordError.checksumMismatch(offset: offset, part: "length")
            }
            var length: UInt64 = 0
            for k in 0..<8 { length |= UInt64(lengthBytes[k]) << (8 * UInt64(k)) }
            guard length <= UInt64(bytes.count - offset - 12), bytes.count - offset - 12 - Int(length) >= 4 else {
                if allowTruncatedTail { break }
                throw TFRecordError.truncated(offset: offset)
            }
            let start = offset + 12, end = start + Int(length)
            let payload = Array(bytes[start..<end])
            guard readUInt32(bytes, end) == CRC32C.maskedChecksum(payload) else {
                throw TFRecordError.checksumMismatch(offset: offset, part: "data")
            }
            out.append(Data(payload))
            offset = end + 4
        }
        return out
    }

    private static func appendLittleEndian(_ data: inout Data, _ value: UInt32) {
        data.append(contentsOf: [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)])
    }

    private static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
