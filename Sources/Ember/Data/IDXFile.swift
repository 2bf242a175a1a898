// The IDX file format of MNIST, Fashion-MNIST, KMNIST and EMNIST.
//
// Layout: two zero bytes, a data-type byte, a rank byte (together the "magic", e.g. 0x00000803 for
// a rank-3 unsigned-byte array), one big-endian UInt32 per dimension, then the elements row-major,
// big-endian. Files are usually distributed gzip-compressed (`.gz`).

import Foundation

/// The element type of an IDX array (the third byte of the magic number).
public enum IDXDataType: UInt8, Sendable, CaseIterable {
    /// Unsigned byte (`0x08`), the type of every MNIST-family file.
    case uint8 = 0x08
    /// Signed byte (`0x09`).
    case int8 = 0x09
    /// Big-endian signed 16-bit integer (`0x0B`).
    case int16 = 0x0B
    /// Big-endian signed 32-bit integer (`0x0C`).
    case int32 = 0x0C
    /// Big-endian IEEE single-precision float (`0x0D`).
    case float32 = 0x0D
    /// Big-endian IEEE double-precision float (`0x0E`).
    case float64 = 0x0E

    /// Size of one element in bytes.
    public var byteCount: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .float64: return 8
        }
    }
}

/// An array read from an IDX file: its shape and its elements' raw bytes.
///
/// For the usual unsigned-byte files (`dataType == .uint8`) ``bytes`` holds the values directly;
/// other element types keep the file's big-endian byte order, and ``floatValues()`` converts any
/// type to `Float`.
public struct IDXArray: Sendable, Equatable {
    /// The dimensions, outermost first: `[10000, 28, 28]` for an MNIST image file,
    /// `[10000]` for a label file.
    public var shape: [Int]
    /// The element type.
    public var dataType: IDXDataType
    /// The elements' bytes, row-major (`shape.reduce(1, *) * dataType.byteCount` of them).
    public var bytes: [UInt8]

    /// Creates an array from its parts.
    public init(shape: [Int], dataType: IDXDataType = .uint8, bytes: [UInt8]) {
        self.shape = shape
        self.dataType = dataType
        self.bytes = bytes
    }

    /// The number of elements (the product of ``shape``; 1 for rank 0).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The elements converted to `Float` (big-endian decoding for multi-byte types).
    public func floatValues() -> [Float] {
        let n = elementCount
        var out = [Float](repeating: 0, count: n)
        switch dataType {
        case .uint8: for i in 0..<n { out[i] = Float(bytes[i]) }
        case .int8: for i in 0..<n { out[i] = Float(Int8(bitPattern: bytes[i])) }
        case .int16:
            for i in 0..<n { out[i] = Float(Int16(bitPattern: UInt16(bytes[2 * i]) << 8 | UInt16(bytes[2 * i + 1]))) }
        case .int32: for i in 0..<n { out[i] = Float(Int32(bitPattern: word32(at: 4 * i))) }
        case .float32: for i in 0..<n { out[i] = Float(bitPattern: word32(at: 4 * i)) }
        case .float64:
            for i in 0..<n {
                let hi = UInt64(word32(at: 8 * i)), lo = UInt64(word32(at: 8 * i + 4))
                out[i] = Float(Double(bitPattern: hi << 32 | lo))
            }
        }
        return out
    }

    private func word32(at k: Int) -> UInt32 {
        UInt32(bytes[k]) << 24 | UInt32(bytes[k + 1]) << 16 | UInt32(bytes[k + 2]) << 8 | UInt32(bytes[k + 3])
    }
}

/// An error raised while reading an IDX file. Every case names the file.
public enum IDXError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// There is no file at the path.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(path: String, reason: String)
    /// The file ends inside the header.
    case truncatedHeader(path: String, byteCount: Int)
    /// The first four bytes are not an IDX magic number (two zero bytes, a known type, a rank).
    case badMagic(path: String, magic: UInt32)
    /// The file holds fewer data bytes than the header's dimensions require.
    case truncatedData(path: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// The file holds more data bytes than the header's dimensions require.
    case sizeMismatch(path: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// The dimensions multiply to more elements than can be addressed.
    case shapeTooLarge(path: String, shape: [Int])
    /// The `.gz` file could not be decompressed.
    case badCompression(path: String, reason: String)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "IDX file not found: \(path)"
        case .unreadable(let path, let reason):
            return "IDX file \(path) could not be read: \(reason)"
        case .truncatedHeader(let path, let count):
            return "IDX file \(path) is truncated: only \(count) bytes, too short for its header"
        case .badMagic(let path, let magic):
            return "IDX file \(path) has a wrong magic number 0x\(String(format: "%08X", magic)) "
                + "(expected 0x000008NN for unsigned bytes, e.g. 0x00000803 images or 0x00000801 labels): "
                + "not an IDX file, or still compressed under another name?"
        case .truncatedData(let path, let shape, let expected, let actual):
            return "IDX file \(path) is truncated: shape \(shape) needs \(expected) data bytes, "
                + "the file has \(actual)"
        case .sizeMismatch(let path, let shape, let expected, let actual):
            return "IDX file \(path) has the wrong size: shape \(shape) needs \(expected) data bytes, "
                + "the file has \(actual) (\(actual - expected) extra)"
        case .shapeTooLarge(let path, let shape):
            return "IDX file \(path) declares an impossibly large shape \(shape)"
        case .badCompression(let path, let reason):
            return "IDX file \(path) could not be decompressed: \(reason)"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// Reads and writes IDX files, plain or gzip-compressed.
///
/// ```swift
/// let labels = try IDXFile.read(URL(fileURLWithPath: "mnist/t10k-labels-idx1-ubyte.gz"))
/// labels.shape      // [10000]
/// labels.bytes[0]   // 7
/// ```
public enum IDXFile {
    /// Reads the IDX file at `url`. Gzip data is detected from its magic bytes (`1f 8b`), whatever
    /// the file's name.
    /// - Throws: ``IDXError`` for a missing, unreadable, corrupt, truncated or oversized file.
    public static func read(_ url: URL) throws -> IDXArray {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw IDXError.fileNotFound(path: path)
        }
        if isDirectory.boolValue { throw IDXError.unreadable(path: path, reason: "it is a directory") }
        var data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw IDXError.unreadable(path: path, reason: error.localizedDescription)
        }
        if data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B {
            do {
                data = try Gzip.decompress(data)
            } catch {
                throw IDXError.badCompression(path: path, reason: "\(error)")
            }
        }
        return try parse(data, path: path)
    }

    /// Parses IDX bytes that are already in memory (not compressed).
    /// - Parameter path: the name used in error messages.
    /// - Throws: ``IDXError`` for a bad magic number, a truncated or oversized payload.
    public static func parse(_ data: Data, path: String = "<memory>") throws -> IDXArray {
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { throw IDXError.truncatedHeader(path: path, byteCount: bytes.count) }
        let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        guard bytes[0] == 0, bytes[1] == 0, let type = IDXDataType(rawValue: bytes[2]) else {
            throw IDXError.badMagic(path: path, magic: magic)
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else { throw IDXError.truncatedHeader(path: path, byteCount: bytes.count) }
        var shape: [Int] = []
        var total = type.byteCount
        var overflow = false
        for d in 0..<rank {
            let k = 4 + 4 * d
            let dim = Int(UInt32(bytes[k]) << 24 | UInt32(bytes[k + 1]) << 16 | UInt32(bytes[k + 2]) << 8 | UInt32(bytes[k + 3]))
            shape.append(dim)
            let (product, o) = total.multipliedReportingOverflow(by: dim)
            total = product
            overflow = overflow || o
        }
        if overflow { throw IDXError.shapeTooLarge(path: path, shape: shape) }
        let actual = bytes.count - headerSize
        if actual < total {
            throw IDXError.truncatedData(path: path, shape: shape, expectedBytes: total, actualBytes: actual)
        }
        if actual > total {
            throw IDXError.sizeMismatch(path: path, shape: shape, expectedBytes: total, actualBytes: actual)
        }
        return IDXArray(shape: shape, dataType: type, bytes: Array(bytes[headerSize...]))
    }

    /// Encodes `array` in the IDX format (header and data, uncompressed).
    /// - Throws: ``IDXError/sizeMismatch(path:shape:expectedBytes:actualBytes:)`` when the byte
    ///   count does not match the shape, ``IDXError/shapeTooLarge(path:shape:)`` for a rank above
    ///   255 or a dimension that does not fit in 32 bits.
    public static func encode(_ array: IDXArray) throws -> Data {
        let expected = array.shape.reduce(array.dataType.byteCount, *)
        guard array.shape.count <= 255, array.shape.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else {
            throw IDXError.shapeTooLarge(path: "<memory>", shape: array.shape)
        }
        guard expected == array.bytes.count else {
            throw IDXError.sizeMismatch(path: "<memory>", shape: array.shape, expectedBytes: expected,
                                        actualBytes: array.bytes.count)
        }
        var out = Data([0, 0, array.dataType.rawValue, UInt8(array.shape.count)])
        for dim in array.shape {
            let d = UInt32(dim)
            out.append(contentsOf: [UInt8(d >> 24), UInt8((d >> 16) & 0xFF), UInt8((d >> 8) & 0xFF), UInt8(d & 0xFF)])
        }
        out.append(contentsOf: array.bytes)
        return out
    }

    /// Writes `array` to `url` in the IDX format, gzip-compressed when `gzip` is true.
    /// The file is written to a temporary name first and renamed, so a failed write never leaves
    /// a half-written file at `url`.
    public static func write(_ array: IDXArray, to url: URL, gzip: Bool = false) throws {
        var data = try encode(array)
        if gzip { data = try Gzip.compress(data) }
        try data.write(to: url, options: .atomic)
    }
}
