/// The decoded and fully validated header of a safetensors file, and the encoder that writes one.
///
/// Reading follows the reference implementation's rules (and is stricter where the reference is
/// silent): the header is UTF-8 JSON, an object mapping tensor names to
/// `{"dtype", "shape", "data_offsets"}` plus an optional `__metadata__` string map; no key twice;
/// sorted by offset, the tensors start at 0, follow each other without gaps or overlaps, each
/// covers exactly `elementCount * bits / 8` bytes, and the last one ends at the end of the file.
struct SafeTensorsHeader {
    /// Where one tensor's bytes lie, relative to the start of the data section.
    struct TensorLayout {
        var name: String
        var dtype: SafeTensorsDType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    /// The longest header the format accepts.
    static let maximumLength = 100_000_000

    /// The key of the string-to-string metadata map.
    static let metadataKey = "__metadata__"

    /// Tensors in header order.
    var tensors: [TensorLayout]
    /// The `__metadata__` map (empty when absent or `null`).
    var metadata: [String: String]
    /// The byte length `N` of the JSON header (after the 8-byte prefix).
    var headerLength: Int

    /// The byte offset of the data section from the start of the file.
    var dataStart: Int { 8 + headerLength }

    // MARK: - Reading

    /// Reads the 8-byte little-endian header length and checks it against the limit and the file size.
    static func headerLength(prefix: [UInt8], fileSize: Int) throws(SafeTensorsFormatProblem) -> Int {
        guard fileSize >= 8, prefix.count >= 8 else { throw .fileTooShort(byteCount: fileSize) }
        var declared: UInt64 = 0
        for index in (0..<8).reversed() {
            declared = declared << 8 | UInt64(prefix[index])
        }
        guard declared <= UInt64(maximumLength) else { throw .headerTooLarge(declaredLength: declared) }
        let length = Int(declared)
        guard length <= fileSize - 8 else {
            throw .headerPastEnd(declaredLength: declared, availableBytes: fileSize - 8)
        }
        return length
    }

    /// Parses and validates the header bytes of a file of `fileSize` bytes.
    static func parse(headerBytes: [UInt8], fileSize: Int) throws(SafeTensorsFormatProblem) -> SafeTensorsHeader {
        guard String(validating: headerBytes, as: UTF8.self) != nil else { throw .headerNotUTF8 }
        let root: SafeTensorsJSON.Value
        do {
            root = try SafeTensorsJSON.parse(headerBytes)
        } catch {
            switch error.kind {
            case .syntax(let reason):
                throw .invalidJSON(offset: error.offset, reason: reason)
            case .invalidUnicodeEscape:
                throw .invalidUnicodeEscape(offset: error.offset)
            case .duplicateKey(let key, let path):
                throw .duplicateKey(key: key, context: describeContext(path))
            }
        }
        guard case .object(let members) = root else { throw .headerNotObject(found: root.kindDescription) }

        var tensors: [TensorLayout] = []
        tensors.reserveCapacity(members.count)
        var metadata: [String: String] = [:]
        let dataSize = fileSize - 8 - headerBytes.count
        for member in members {
            if member.key == metadataKey {
                metadata = try parseMetadata(member.value)
            } else {
                tensors.append(try parseTensor(name: member.key, member.value, dataSize: dataSize))
            }
        }
        try checkTiling(tensors, dataSize: dataSize)
        return SafeTensorsHeader(tensors: tensors, metadata: metadata, headerLength: headerBytes.count)
    }

    /// Names the object that holds a duplicate key, from the keys of its enclosing objects.
    private static func describeContext(_ path: [String]) -> String {
        guard let first = path.first else { return "the header" }
        let base = first == metadataKey ? metadataKey : "tensor \(safeTensorsQuoted(first))"
        if path.count == 1 { return base }
        return base + " (inside " + path.dropFirst().map { safeTensorsQuoted($0) }.joined(separator: " > ") + ")"
    }

    private static func parseMetadata(_ value: SafeTensorsJSON.Value) throws(SafeTensorsFormatProblem) -> [String: String] {
        switch value {
        case .null:
            return [:]  // the reference reader accepts `null` as "no metadata"
        case .object(let members):
            var result: [String: String] = [:]
            for member in members {
                guard case .string(let text) = member.value else {
                    throw .invalidMetadata(reason: "the value of \(safeTensorsQuoted(member.key)) is \(member.value.kindDescription), not a string")
                }
                result[member.key] = text
            }
            return result
        default:
            throw .invalidMetadata(reason: "found \(value.kindDescription) instead of an object")
        }
    }

    private static func parseTensor(name: String, _ value: SafeTensorsJSON.Value, dataSize: Int) throws(SafeTensorsFormatProblem) -> TensorLayout {
        guard case .object(let members) = value else {
            throw .invalidTensorInfo(tensor: name, reason: "expected an object with dtype, shape and data_offsets, found \(value.kindDescription)")
        }
        var dtypeValue: SafeTensorsJSON.Value?
        var shapeValue: SafeTensorsJSON.Value?
        var offsetsValue: SafeTensorsJSON.Value?
        for member in members {
            switch member.key {
            case "dtype": dtypeValue = member.value
            case "shape": shapeValue = member.value
            case "data_offsets": offsetsValue = member.value
            default: break  // unknown fields are ignored, as the reference reader does
            }
        }
        guard let dtypeValue else { throw .invalidTensorInfo(tensor: name, reason: "missing \"dtype\"") }
        guard let shapeValue else { throw .invalidTensorInfo(tensor: name, reason: "missing \"shape\"") }
        guard let offsetsValue else { throw .invalidTensorInfo(tensor: name, reason: "missing \"data_offsets\"") }

        guard case .string(let dtypeName) = dtypeValue else {
            throw .invalidTensorInfo(tensor: name, reason: "\"dtype\" must be a string, found \(dtypeValue.kindDescription)")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw .unknownDType(tensor: name, dtype: dtypeName)
        }

        guard case .array(let shapeElements) = shapeValue else {
            throw .invalidTensorInfo(tensor: name, reason: "\"shape\" must be an array, found \(shapeValue.kindDescription)")
        }
        var shape: [Int] = []
        shape.reserveCapacity(shapeElements.count)
        for (axis, element) in shapeElements.enumerated() {
            guard case .number(let text) = element else {
                throw .invalidShape(tensor: name, reason: "dimension \(axis) is \(element.kindDescription), not an integer")
            }
            switch SafeTensorsJSON.integer(fromNumberText: text) {
            case .value(let dimension):
                guard dimension >= 0 else { throw .invalidShape(tensor: name, reason: "dimension \(axis) is negative (\(dimension))") }
                shape.append(dimension)
            case .notInteger:
                throw .invalidShape(tensor: name, reason: "dimension \(axis) is \(text), not an integer")
            case .outOfRange:
                throw .invalidShape(tensor: name, reason: "dimension \(axis) (\(text)) does not fit in a 64-bit integer")
            }
        }

        guard case .array(let offsetElements) = offsetsValue else {
            throw .invalidOffsets(tensor: name, reason: "expected an array [begin, end], found \(offsetsValue.kindDescription)")
        }
        guard offsetElements.count == 2 else {
            throw .invalidOffsets(tensor: name, reason: "expected 2 numbers [begin, end], found \(offsetElements.count)")
        }
        var bounds: [Int] = []
        for element in offsetElements {
            guard case .number(let text) = element else {
                throw .invalidOffsets(tensor: name, reason: "expected integers, found \(element.kindDescription)")
            }
            switch SafeTensorsJSON.integer(fromNumberText: text) {
            case .value(let offset):
                guard offset >= 0 else { throw .invalidOffsets(tensor: name, reason: "offset \(offset) is negative") }
                bounds.append(offset)
            case .notInteger:
                throw .invalidOffsets(tensor: name, reason: "offset \(text) is not an integer")
            case .outOfRange:
                throw .invalidOffsets(tensor: name, reason: "offset \(text) does not fit in a 64-bit integer")
            }
        }
        let begin = bounds[0], end = bounds[1]
        guard begin <= end else { throw .offsetsReversed(tensor: name, begin: begin, end: end) }
        guard end <= dataSize else { throw .offsetsOutOfRange(tensor: name, begin: begin, end: end, dataSize: dataSize) }

        guard let count = SafeTensorsEntry.elementCount(of: shape) else {
            throw .elementCountOverflow(tensor: name, shape: shape)
        }
        let (bits, overflow) = count.multipliedReportingOverflow(by: dtype.bitSize)
        guard !overflow else { throw .elementCountOverflow(tensor: name, shape: shape) }
        guard bits % 8 == 0 else { throw .misalignedSubByteTensor(tensor: name, dtype: dtype, shape: shape) }
        guard end - begin == bits / 8 else {
            throw .byteCountMismatch(tensor: name, dtype: dtype, shape: shape, expected: bits / 8, actual: end - begin)
        }
        return TensorLayout(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// Checks that, sorted by offset, the tensors cover the data section exactly once.
    private static func checkTiling(_ tensors: [TensorLayout], dataSize: Int) throws(SafeTensorsFormatProblem) {
        let sorted = tensors.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var position = 0
        var previousName: String?
        for tensor in sorted {
            if tensor.begin > position {
                throw .offsetsGap(tensor: tensor.name, expectedBegin: position, begin: tensor.begin)
            }
            if tensor.begin < position {
                throw .offsetsOverlap(tensor: tensor.name, previous: previousName ?? "", begin: tensor.begin, previousEnd: position)
            }
            position = tensor.end
            previousName = tensor.name
        }
        if position != dataSize {
            throw .trailingBytes(count: dataSize - position)
        }
    }

    // MARK: - Writing

    /// Orders entries as the reference writer does: by dtype rank descending (largest alignment
    /// first), then by name compared byte-wise as UTF-8.
    static func writeOrder(_ entries: [SafeTensorsEntry]) -> [SafeTensorsEntry] {
        entries.sorted { left, right in
            if left.dtype.writeRank != right.dtype.writeRank { return left.dtype.writeRank > right.dtype.writeRank }
            return left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
        }
    }

    /// Encodes the header JSON for `orderedEntries` (already in write order, already validated),
    /// padded with spaces to a multiple of 8 bytes. Metadata keys are written in sorted order;
    /// `nil` metadata omits the `__metadata__` key.
    static func encode(orderedEntries: [SafeTensorsEntry], metadata: [String: String]?) -> [UInt8] {
        var json: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func separator() {
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
        }
        if let metadata {
            separator()
            SafeTensorsJSON.appendString(metadataKey, to: &json)
            json.append(contentsOf: Array(":{".utf8))
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { json.append(UInt8(ascii: ",")) }
                SafeTensorsJSON.appendString(key, to: &json)
                json.append(UInt8(ascii: ":"))
                SafeTensorsJSON.appendString(metadata[key] ?? "", to: &json)
            }
            json.append(UInt8(ascii: "}"))
        }
        var offset = 0
        for entry in orderedEntries {
            separator()
            SafeTensorsJSON.appendString(entry.name, to: &json)
            json.append(contentsOf: Array(":{\"dtype\":".utf8))
            SafeTensorsJSON.appendString(entry.dtype.rawValue, to: &json)
            json.append(contentsOf: Array(",\"shape\":[".utf8))
            json.append(contentsOf: Array(entry.shape.map(String.init).joined(separator: ",").utf8))
            let end = offset + entry.data.count
            json.append(contentsOf: Array("],\"data_offsets\":[\(offset),\(end)]}".utf8))
            offset = end
        }
        json.append(UInt8(ascii: "}"))
        let padding = (8 - json.count % 8) % 8
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        return json
    }
}
