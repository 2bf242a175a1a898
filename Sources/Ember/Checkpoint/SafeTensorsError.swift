import Foundation

/// An error from reading, writing or converting safetensors data.
///
/// Every case carries enough context for a readable message: the file (or `"<memory>"` for
/// in-memory data), the tensor involved, and what exactly is wrong. `description` (and
/// `localizedDescription`) render it as one sentence, for example:
///
/// ```text
/// safetensors file '/runs/ckpt-100.safetensors' is invalid: tensor "fc1.weight": data_offsets
/// [0, 100] cover 100 bytes, but F32 with shape [5, 6] needs 120 bytes
/// ```
public enum SafeTensorsError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The file could not be opened, read or written; `reason` is the operating system's message.
    case io(path: String, reason: String)
    /// The bytes are not a valid safetensors file; `problem` says precisely why.
    case malformed(path: String, problem: SafeTensorsFormatProblem)
    /// An entry handed to the writer is inconsistent (for example its byte count does not match
    /// its shape and type, or two entries share a name); nothing was written.
    case invalidEntry(path: String, name: String, reason: String)
    /// The tensor's element type cannot be converted to the requested Swift type
    /// (for example asking for `[Float]` from an `I64` tensor).
    case unsupportedConversion(name: String, dtype: SafeTensorsDType, target: String)
    /// A stored value does not fit the requested Swift type (for example a `U64` above
    /// `Int64.max` read as `[Int64]`).
    case valueOutOfRange(name: String, index: Int, target: String)

    /// A one-sentence explanation naming the file or tensor and the problem.
    public var description: String {
        switch self {
        case let .io(path, reason):
            return "safetensors file '\(path)': \(reason)"
        case let .malformed(path, problem):
            return "safetensors file '\(path)' is invalid: \(problem)"
        case let .invalidEntry(path, name, reason):
            return "cannot write safetensors file '\(path)': tensor \(safeTensorsQuoted(name)): \(reason)"
        case let .unsupportedConversion(name, dtype, target):
            return "tensor \(safeTensorsQuoted(name)) has dtype \(dtype.rawValue), which cannot be converted to \(target)"
        case let .valueOutOfRange(name, index, target):
            return "tensor \(safeTensorsQuoted(name)): element \(index) does not fit in \(target)"
        }
    }

    /// Same as ``description``, so `error.localizedDescription` is readable too.
    public var errorDescription: String? { description }
}

/// What is wrong with a safetensors file that failed to load.
///
/// Each case corresponds to one rule of the format; tests and callers can match on the case,
/// and `description` explains it in words.
public enum SafeTensorsFormatProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is shorter than the 8-byte header-length prefix.
    case fileTooShort(byteCount: Int)
    /// The declared header length exceeds the format's limit of 100,000,000 bytes.
    case headerTooLarge(declaredLength: UInt64)
    /// The declared header length runs past the end of the file.
    case headerPastEnd(declaredLength: UInt64, availableBytes: Int)
    /// The header bytes are not valid UTF-8.
    case headerNotUTF8
    /// The header is not well-formed JSON; `offset` is the byte position within the header.
    case invalidJSON(offset: Int, reason: String)
    /// A JSON `\u` escape in the header encodes an unpaired UTF-16 surrogate, so the string
    /// (usually a tensor name) is not valid Unicode.
    case invalidUnicodeEscape(offset: Int)
    /// The header is valid JSON but not a JSON object.
    case headerNotObject(found: String)
    /// The same key appears twice in one JSON object of the header (tensor names included).
    /// `context` is the enclosing object, e.g. `"header"` or `"tensor \"w\""`.
    case duplicateKey(key: String, context: String)
    /// `__metadata__` is not an object whose values are all strings.
    case invalidMetadata(reason: String)
    /// A tensor's description lacks a field or has a field of the wrong JSON type.
    case invalidTensorInfo(tensor: String, reason: String)
    /// A tensor's `dtype` is not a name the format defines.
    case unknownDType(tensor: String, dtype: String)
    /// A tensor's shape has a negative or non-integer dimension.
    case invalidShape(tensor: String, reason: String)
    /// The product of a tensor's dimensions (or its size in bytes) overflows a 64-bit integer.
    case elementCountOverflow(tensor: String, shape: [Int])
    /// `data_offsets` is not a pair of non-negative integers.
    case invalidOffsets(tensor: String, reason: String)
    /// `data_offsets` has its begin after its end.
    case offsetsReversed(tensor: String, begin: Int, end: Int)
    /// `data_offsets` points beyond the end of the data section.
    case offsetsOutOfRange(tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Sorted by offset, this tensor does not start where the previous one ends: the bytes
    /// between `expectedBegin` and `begin` belong to no tensor.
    case offsetsGap(tensor: String, expectedBegin: Int, begin: Int)
    /// Sorted by offset, this tensor starts before the previous tensor `previous` ends.
    case offsetsOverlap(tensor: String, previous: String, begin: Int, previousEnd: Int)
    /// The byte range is not the size that the dtype and shape require.
    case byteCountMismatch(tensor: String, dtype: SafeTensorsDType, shape: [Int], expected: Int, actual: Int)
    /// A sub-byte dtype (`F4`, `F6_*`) whose element count does not fill a whole number of bytes.
    case misalignedSubByteTensor(tensor: String, dtype: SafeTensorsDType, shape: [Int])
    /// The file continues after the last tensor's data.
    case trailingBytes(count: Int)

    /// The problem in words.
    public var description: String {
        switch self {
        case let .fileTooShort(count):
            return "the file has \(count) bytes, fewer than the 8-byte header length prefix"
        case let .headerTooLarge(length):
            return "the header length \(length) exceeds the limit of 100000000 bytes"
        case let .headerPastEnd(length, available):
            return "the header length \(length) runs past the end of the file (\(available) bytes follow the length prefix)"
        case .headerNotUTF8:
            return "the header is not valid UTF-8"
        case let .invalidJSON(offset, reason):
            return "the header is not valid JSON at byte \(offset): \(reason)"
        case let .invalidUnicodeEscape(offset):
            return "the header has a \\u escape at byte \(offset) that is an unpaired UTF-16 surrogate (not valid Unicode)"
        case let .headerNotObject(found):
            return "the header must be a JSON object, found \(found)"
        case let .duplicateKey(key, context):
            return "duplicate key \(safeTensorsQuoted(key)) in \(context)"
        case let .invalidMetadata(reason):
            return "__metadata__ must map strings to strings: \(reason)"
        case let .invalidTensorInfo(tensor, reason):
            return "tensor \(safeTensorsQuoted(tensor)): \(reason)"
        case let .unknownDType(tensor, dtype):
            return "tensor \(safeTensorsQuoted(tensor)): unknown dtype \(safeTensorsQuoted(dtype))"
        case let .invalidShape(tensor, reason):
            return "tensor \(safeTensorsQuoted(tensor)): invalid shape: \(reason)"
        case let .elementCountOverflow(tensor, shape):
            return "tensor \(safeTensorsQuoted(tensor)): shape \(shape) has too many elements (overflows a 64-bit size)"
        case let .invalidOffsets(tensor, reason):
            return "tensor \(safeTensorsQuoted(tensor)): invalid data_offsets: \(reason)"
        case let .offsetsReversed(tensor, begin, end):
            return "tensor \(safeTensorsQuoted(tensor)): data_offsets [\(begin), \(end)] begin after they end"
        case let .offsetsOutOfRange(tensor, begin, end, size):
            return "tensor \(safeTensorsQuoted(tensor)): data_offsets [\(begin), \(end)] lie outside the \(size)-byte data section"
        case let .offsetsGap(tensor, expected, begin):
            return "tensor \(safeTensorsQuoted(tensor)): data starts at \(begin) but the previous tensor ends at \(expected); bytes \(expected)..<\(begin) belong to no tensor"
        case let .offsetsOverlap(tensor, previous, begin, previousEnd):
            return "tensor \(safeTensorsQuoted(tensor)): data starts at \(begin), inside tensor \(safeTensorsQuoted(previous)) which ends at \(previousEnd)"
        case let .byteCountMismatch(tensor, dtype, shape, expected, actual):
            return "tensor \(safeTensorsQuoted(tensor)): data_offsets cover \(actual) bytes, but \(dtype.rawValue) with shape \(shape) needs \(expected) bytes"
        case let .misalignedSubByteTensor(tensor, dtype, shape):
            return "tensor \(safeTensorsQuoted(tensor)): \(dtype.rawValue) with shape \(shape) does not fill a whole number of bytes"
        case let .trailingBytes(count):
            return count == 1 ? "1 byte follows the last tensor's data" : "\(count) bytes follow the last tensor's data"
        }
    }
}

/// A tensor name or key in double quotes, with control characters made visible.
func safeTensorsQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}
