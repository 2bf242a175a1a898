// Just enough of the protocol-buffers wire format to write and read TensorBoard events without
// SwiftProtobuf: varints, 64- and 32-bit fixed fields, length-delimited fields.
// https://protobuf.dev/programming-guides/encoding/

import Foundation

/// Builds one protobuf message, field by field, in the order the calls are made.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func appendTag(_ field: Int, _ type: WireType) {
        appendVarint(UInt64(field) << 3 | UInt64(type.rawValue))
    }

    /// An int32/int64 field (negative values take ten bytes, as protobuf specifies).
    mutating func int(_ field: Int, _ value: Int64) {
        appendTag(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double) {
        appendTag(field, .fixed64)
        let bits = value.bitPattern
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
    }

    mutating func float(_ field: Int, _ value: Float) {
        appendTag(field, .fixed32)
        let bits = value.bitPattern
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(k)))) }
    }

    mutating func bytes(_ field: Int, _ value: some Collection<UInt8>) {
        appendTag(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }

    /// A packed repeated double field.
    mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        var inner = ProtobufWriter()
        for v in values {
            let bits = v.bitPattern
            for k in 0..<8 { inner.bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
        }
        bytes(field, inner.bytes)
    }
}

/// Walks the fields of one protobuf message.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)

        var int: Int64? {
            if case .varint(let v) = self { return Int64(bitPattern: v) }
            return nil
        }

        var double: Double? {
            if case .fixed64(let v) = self { return Double(bitPattern: v) }
            return nil
        }

        var float: Float? {
            if case .fixed32(let v) = self { return Float(bitPattern: v) }
            return nil
        }

        var data: ArraySlice<UInt8>? {
            if case .bytes(let b) = self { return b }
            return nil
        }

        var string: String? { data.map { String(decoding: $0, as: UTF8.self) } }
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// Every (field number, value) pair of `bytes`, in order.
    static func fields(_ bytes: ArraySlice<UInt8>) throws -> [(field: Int, value: Value)] {
        var out: [(Int, Value)] = []
        var i = bytes.startIndex
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.endIndex else { throw Malformed(description: "varint runs past the end") }
                let b = bytes[i]
                i += 1
                guard shift < 64 else { throw Malformed(description: "varint longer than 10 bytes") }
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }
        func fixed(_ n: Int) throws -> UInt64 {
            guard bytes.endIndex - i >= n else { throw Malformed(description: "fixed field runs past the end") }
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            i += n
            return v
        }
        while i < bytes.endIndex {
            let key = try varint()
            let field = Int(key >> 3)
            guard field > 0 else { throw Malformed(description: "field number 0") }
            switch key & 7 {
            case 0: out.append((field, .varint(try varint())))
            case 1: out.append((field, .fixed64(try fixed(8))))
            case 5: out.append((field, .fixed32(UInt32(try fixed(4)))))
            case 2:
                let length = try varint()
                guard length <= UInt64(bytes.endIndex - i) else {
                    throw Malformed(description: "length-delimited field of \(length) bytes runs past the end")
                }
                out.append((field, .bytes(bytes[i..<i + Int(length)])))
                i += Int(length)
            default:
                throw Malformed(description: "unsupported wire type \(key & 7)")
            }
        }
        return out
    }
}
