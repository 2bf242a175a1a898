// Reading TensorBoard event files back: for tests, for checking what a training run logged, and
// for plotting logged scalars without TensorBoard.

import Foundation

/// One event of a TensorBoard event file.
public struct TensorBoardEvent: Sendable, Equatable {
    /// Seconds since 1970 when the event was written.
    public var wallTime: Double
    /// The training step (0 when absent).
    public var step: Int
    /// The file-version string of the file's first event (`brain.Event:2`), `nil` elsewhere.
    public var fileVersion: String?
    /// The summary values the event carries (empty for the file-version event).
    public var values: [TensorBoardValue]
}

/// One tagged value of a TensorBoard summary.
public struct TensorBoardValue: Sendable, Equatable {
    /// What a value holds.
    public enum Content: Sendable, Equatable {
        /// A scalar (`simple_value`).
        case scalar(Float)
        /// An encoded image with its size and colour space.
        case image(width: Int, height: Int, colorspace: Int, encoded: Data)
        /// A histogram: summary statistics, right bucket edges and bucket counts.
        case histogram(min: Double, max: Double, count: Double, sum: Double, sumSquares: Double,
                       bucketLimits: [Double], buckets: [Double])
        /// A text summary (string tensor).
        case text(String)
        /// A kind of value this reader does not decode (audio, other tensors).
        case other
    }

    /// The value's tag, such as `loss/generator`.
    public var tag: String
    /// The value itself.
    public var content: Content
}

/// An error raised while reading an event file.
public enum TensorBoardReadError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The TFRecord framing is broken.
    case badRecord(path: String, TFRecordError)
    /// A record does not hold a valid Event message.
    case badEvent(path: String, index: Int, reason: String)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "cannot read event file \(path): \(reason)"
        case .badRecord(let path, let error): return "event file \(path): \(error.description)"
        case .badEvent(let path, let index, let reason): return "event file \(path): record \(index) is not a valid event: \(reason)"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// Reads TensorBoard event files written by Ember, PyTorch or TensorFlow.
///
/// ```swift
/// for series in try TensorBoardEventFile.scalarSeries(at: writer.fileURL) {
///     print(series.name, series.values.last ?? .nan)
/// }
/// ```
public enum TensorBoardEventFile {
    /// All events of the file at `url`, checksums verified.
    /// - Parameter allowTruncatedTail: ignore an incomplete last record (a file still being written).
    /// - Throws: ``TensorBoardReadError``.
    public static func read(_ url: URL, allowTruncatedTail: Bool = false) throws -> [TensorBoardEvent] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TensorBoardReadError.unreadable(path: url.path, reason: FileManager.default.fileExists(atPath: url.path)
                                                  ? error.localizedDescription : "no such file")
        }
        return try events(in: data, path: url.path, allowTruncatedTail: allowTruncatedTail)
    }

    /// Decodes events from event-file bytes.
    /// - Parameter path: the name used in error messages.
    public static func events(in data: Data, path: String = "<memory>", allowTruncatedTail: Bool = false) throws -> [TensorBoardEvent] {
        let records: [Data]
        do {
            records = try TFRecord.records(in: data, allowTruncatedTail: allowTruncatedTail)
        } catch let error as TFRecordError {
            throw TensorBoardReadError.badRecord(path: path, error)
        }
        var events: [TensorBoardEvent] = []
        for (index, record) in records.enumerated() {
            do {
                events.append(try decodeEvent(ArraySlice([UInt8](record))))
            } catch {
                throw TensorBoardReadError.badEvent(path: path, index: index, reason: "\(error)")
            }
        }
        return events
    }

    /// The scalars of the file at `url`, one series per tag in order of first appearance,
    /// ready for ``LinePlot/add(_:)``.
    public static func scalarSeries(at url: URL) throws -> [ScalarSeries] {
        var collector = ScalarSeries.Collector()
        for event in try read(url, allowTruncatedTail: true) {
            for value in event.values {
                if case .scalar(let v) = value.content { collector.add(value.tag, step: event.step, value: Double(v)) }
            }
        }
        return collector.series
    }

    static func decodeEvent(_ bytes: ArraySlice<UInt8>) throws -> TensorBoardEvent {
        var event = TensorBoardEvent(wallTime: 0, step: 0, fileVersion: nil, values: [])
        for (field, value) in try ProtobufReader.fields(bytes) {
            switch field {
            case 1: event.wallTime = value.double ?? 0
            case 2: event.step = Int(value.int ?? 0)
            case 3: event.fileVersion = value.string
            case 5:
                guard let summary = value.data else { continue }
                for (f, v) in try ProtobufReader.fields(summary) where f == 1 {
                    if let valueBytes = v.data { event.values.append(try decodeValue(valueBytes)) }
                }
            default: break
            }
        }
        return event
    }

    static func decodeValue(_ bytes: ArraySlice<UInt8>) throws -> TensorBoardValue {
        var tag = ""
        var content = TensorBoardValue.Content.other
        for (field, value) in try ProtobufReader.fields(bytes) {
            switch field {
            case 1: tag = value.string ?? ""
            case 2: if let f = value.float { content = .scalar(f) }
            case 4:
                guard let image = value.data else { continue }
                var (width, height, colorspace, encoded) = (0, 0, 0, Data())
                for (f, v) in try ProtobufReader.fields(image) {
                    switch f {
                    case 1: height = Int(v.int ?? 0)
                    case 2: width = Int(v.int ?? 0)
                    case 3: colorspace = Int(v.int ?? 0)
                    case 4: encoded = Data(v.data ?? [])
                    default: break
                    }
                }
                content = .image(width: width, height: height, colorspace: colorspace, encoded: encoded)
            case 5:
                guard let histo = value.data else { continue }
                var stats = [Double](repeating: 0, count: 5)
                var limits: [Double] = [], buckets: [Double] = []
                for (f, v) in try ProtobufReader.fields(histo) {
                    switch f {
                    case 1...5: stats[f - 1] = v.double ?? 0
                    case 6: limits += try doubles(v)
                    case 7: buckets += try doubles(v)
                    default: break
                    }
                }
                content = .histogram(min: stats[0], max: stats[1], count: stats[2], sum: stats[3], sumSquares: stats[4],
                                     bucketLimits: limits, buckets: buckets)
            case 8:
                guard let tensor = value.data else { continue }
                var strings: [String] = []
                var isString = false
                for (f, v) in try ProtobufReader.fields(tensor) {
                    if f == 1, v.int == 7 { isString = true }
                    if f == 8, let s = v.string { strings.append(s) }
                }
                if isString, let first = strings.first { content = .text(first) }
            default: break
            }
        }
        return TensorBoardValue(tag: tag, content: content)
    }

    /// A repeated double field, packed or not.
    private static func doubles(_ value: ProtobufReader.Value) throws -> [Double] {
        switch value {
        case .fixed64(let bits): return [Double(bitPattern: bits)]
        case .bytes(let packed):
            guard packed.count % 8 == 0 else { throw ProtobufReader.Malformed(description: "packed doubles of \(packed.count) bytes") }
            return stride(from: packed.startIndex, to: packed.endIndex, by: 8).map { i in
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(packed[i + k]) << (8 * UInt64(k)) }
                return Double(bitPattern: bits)
            }
        default: throw ProtobufReader.Malformed(description: "expected doubles")
        }
    }
}
