/// A small JSON reader and string encoder for safetensors headers.
///
/// Foundation's `JSONSerialization` silently keeps one of two duplicate keys and loses the order
/// of keys, both of which matter here (the format forbids duplicates; readers like to see tensors
/// in header order). This parser keeps object members in order, rejects duplicate keys, checks
/// `\u` escapes for unpaired surrogates, keeps numbers as their exact text so that huge integers
/// are detected rather than rounded, and limits nesting so hostile input cannot exhaust the stack.
enum SafeTensorsJSON {
    /// A parsed JSON value. Object members keep their order; numbers keep their source text.
    indirect enum Value {
        case object([Member])
        case array([Value])
        case string(String)
        case number(String)
        case bool(Bool)
        case null

        /// A short name of the value's JSON type, for error messages ("an array", "a string", ...).
        var kindDescription: String {
            switch self {
            case .object: return "an object"
            case .array: return "an array"
            case .string: return "a string"
            case .number(let text): return "the number \(text)"
            case .bool(let flag): return flag ? "true" : "false"
            case .null: return "null"
            }
        }
    }

    /// One `"key": value` member of an object.
    struct Member {
        var key: String
        var value: Value
    }

    /// Why the header could not be parsed, and where (byte offset into the header).
    struct ParseError: Error, Equatable {
        enum Kind: Equatable {
            case syntax(String)
            /// `path` lists the keys of the enclosing objects, outermost first (empty at top level).
            case duplicateKey(String, path: [String])
            case invalidUnicodeEscape
        }
        var kind: Kind
        var offset: Int
    }

    /// The deepest nesting accepted; safetensors headers need 3 levels.
    static let maximumDepth = 64

    /// Parses one JSON document that may be surrounded by whitespace (the header's space padding).
    static func parse(_ bytes: [UInt8]) throws(ParseError) -> Value {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw ParseError(kind: .syntax("unexpected data after the JSON value"), offset: parser.index)
        }
        return value
    }

    /// Appends `text` as a JSON string literal (with quotes), escaping exactly as serde_json does
    /// (the encoder behind Python's and Rust's safetensors): `\"`, `\\`, `\b`, `\f`, `\n`, `\r`,
    /// `\t`, other control characters as `\u00xx`; everything else, including non-ASCII, verbatim.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Parses a JSON number's text as an `Int`. Returns `.notInteger` for fractions and exponents
    /// (`2.0`, `1e3`), `.outOfRange` when the integer does not fit in `Int`.
    static func integer(fromNumberText text: String) -> IntegerParseResult {
        var digits = Substring(text)
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return .notInteger }
        var value = 0
        for character in digits.utf8 {
            let digit = Int(character) - Int(UInt8(ascii: "0"))
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? times10.subtractingReportingOverflow(digit)
                : times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return .outOfRange }
            value = next
        }
        return .value(value)
    }

    /// The outcome of ``integer(fromNumberText:)``.
    enum IntegerParseResult: Equatable {
        case value(Int)
        case notInteger
        case outOfRange
    }

    /// Recursive-descent parser over the header bytes.
    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        /// Keys of the objects currently being parsed, for duplicate-key messages.
        var path: [String] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                index += 1
            }
        }

        func fail(_ message: String, at offset: Int? = nil) -> ParseError {
            ParseError(kind: .syntax(message), offset: offset ?? index)
        }

        func describeCurrent() -> String {
            guard let byte = current else { return "end of header" }
            if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
            return "byte 0x" + String(byte, radix: 16)
        }

        mutating func parseValue(depth: Int) throws(ParseError) -> Value {
            guard depth < SafeTensorsJSON.maximumDepth else {
                throw fail("nesting deeper than \(SafeTensorsJSON.maximumDepth) levels")
            }
            guard let byte = current else { throw fail("expected a value, found end of header") }
            switch byte {
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw fail("expected a value, found \(describeCurrent())")
            }
        }

        mutating func expectLiteral(_ literal: StaticString) throws(ParseError) {
            let start = index
            let expected = literal.withUTF8Buffer { Array($0) }
            for byte in expected {
                guard current == byte else { throw fail("invalid literal, expected \(literal)", at: start) }
                index += 1
            }
        }

        mutating func parseObject(depth: Int) throws(ParseError) -> Value {
            index += 1  // {
            var members: [Member] = []
            var seen = Set<String>()
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    throw fail("expected a string key, found \(describeCurrent())")
                }
                let keyOffset = index
                let key = try parseString()
                // Swift compares strings by canonical equivalence, so two keys that differ only
                // in Unicode normalisation also count as duplicates: they could not both be looked up.
                guard seen.insert(key).inserted else {
                    throw ParseError(kind: .duplicateKey(key, path: path), offset: keyOffset)
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else {
                    throw fail("expected ':' after key, found \(describeCurrent())")
                }
                index += 1
                skipWhitespace()
                path.append(key)
                let value = try parseValue(depth: depth + 1)
                path.removeLast()
                members.append(Member(key: key, value: value))
                skipWhitespace()
                guard let separator = current else { throw fail("unterminated object") }
                index += 1
                if separator == UInt8(ascii: "}") { return .object(members) }
                guard separator == UInt8(ascii: ",") else {
                    throw fail("expected ',' or '}' in object", at: index - 1)
                }
            }
        }

        mutating func parseArray(depth: Int) throws(ParseError) -> Value {
            index += 1  // [
            var elements: [Value] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard let separator = current else { throw fail("unterminated array") }
                index += 1
                if separator == UInt8(ascii: "]") { return .array(elements) }
                guard separator == UInt8(ascii: ",") else {
                    throw fail("expected ',' or ']' in array", at: index - 1)
                }
            }
        }

        mutating func parseHex4() throws(ParseError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = current else { throw fail("unterminated \\u escape") }
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw fail("invalid hex digit in \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        mutating func parseString() throws(ParseError) -> String {
            let start = index
            index += 1  // opening quote
            var buffer: [UInt8] = []
            while true {
                guard let byte = current else { throw fail("unterminated string", at: start) }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: buffer, as: UTF8.self) else {
                        throw fail("string is not valid UTF-8", at: start)
                    }
                    return text
                case UInt8(ascii: "\\"):
                    guard let escape = current else { throw fail("unterminated escape", at: start) }
                    let escapeOffset = index - 1
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): buffer.append(0x22)
                    case UInt8(ascii: "\\"): buffer.append(0x5C)
                    case UInt8(ascii: "/"): buffer.append(0x2F)
                    case UInt8(ascii: "b"): buffer.append(0x08)
                    case UInt8(ascii: "f"): buffer.append(0x0C)
                    case UInt8(ascii: "n"): buffer.append(0x0A)
                    case UInt8(ascii: "r"): buffer.append(0x0D)
                    case UInt8(ascii: "t"): buffer.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalarValue = try parseHex4()
                        if (0xD800...0xDBFF).contains(scalarValue) {
                            // A high surrogate must be followed by an escaped low surrogate.
                            guard index + 1 < bytes.count,
                                  bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                            else { throw ParseError(kind: .invalidUnicodeEscape, offset: escapeOffset) }
                            index += 2
                            let low = try parseHex4()
                            guard (0xDC00...0xDFFF).contains(low) else {
                                throw ParseError(kind: .invalidUnicodeEscape, offset: escapeOffset)
                            }
                            scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalarValue) {
                            throw ParseError(kind: .invalidUnicodeEscape, offset: escapeOffset)
                        }
                        guard let scalar = Unicode.Scalar(scalarValue) else {
                            throw ParseError(kind: .invalidUnicodeEscape, offset: escapeOffset)
                        }
                        UTF8.encode(scalar) { buffer.append($0) }
                    default:
                        throw fail("invalid escape sequence", at: escapeOffset)
                    }
                case 0x00..<0x20:
                    throw fail("unescaped control character in string", at: index - 1)
                default:
                    buffer.append(byte)
                }
            }
        }

        mutating func parseNumber() throws(ParseError) -> String {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            func isDigit(_ byte: UInt8?) -> Bool {
                guard let byte else { return false }
                return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            }
            guard isDigit(current) else { throw fail("invalid number", at: start) }
            if current == UInt8(ascii: "0") {
                index += 1
                if isDigit(current) { throw fail("numbers must not have leading zeros", at: start) }
            } else {
                while isDigit(current) { index += 1 }
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard isDigit(current) else { throw fail("invalid number: digit expected after '.'", at: start) }
                while isDigit(current) { index += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard isDigit(current) else { throw fail("invalid number: digit expected in exponent", at: start) }
                while isDigit(current) { index += 1 }
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }
}
