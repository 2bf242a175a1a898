// Logging scalars as JSON Lines: one JSON object per log call.

import Foundation

/// Writes scalars as JSON Lines (<https://jsonlines.org>): one object per `log` call holding the
/// step, the wall time and every named value, e.g.
/// `{"step":100,"wall_time":1732350000.123,"loss":0.31,"accuracy":0.91}`.
///
/// `pandas.read_json(path, lines=True)` reads it into a table. NaN and infinities, which JSON
/// cannot express, are written as `null`. The names `step` and `wall_time` are reserved.
///
/// ```swift
/// let log = try JSONLinesLogger(path: "runs/gan/scalars.jsonl")
/// try log.log(step: step, ["loss_d": dLoss, "loss_g": gLoss])
/// ```
public final class JSONLinesLogger: @unchecked Sendable {
    private let file: LineFile

    /// The file being written.
    public var url: URL { file.url }

    /// Opens `url` for logging (creating its folder if needed).
    /// - Parameter append: add to an existing file; otherwise an existing file is replaced.
    /// - Throws: ``LogFileError/cannotOpen(path:reason:)``.
    public init(url: URL, append: Bool = false) throws {
        file = try LineFile(url: url, append: append)
    }

    /// Opens the file at `path` for logging.
    public convenience init(path: String, append: Bool = false) throws {
        try self.init(url: URL(fileURLWithPath: path), append: append)
    }

    /// Logs several named values at `step` as one line.
    /// - Throws: ``LogFileError/reservedName(path:name:)`` for the names `step` and `wall_time`.
    public func log<Value: BinaryFloatingPoint & LosslessStringConvertible>(step: Int, _ values: KeyValuePairs<String, Value>) throws {
        try log(step: step, values.map { ($0.key, $0.value) })
    }

    /// Logs several named values at `step` as one line.
    public func log<Value: BinaryFloatingPoint & LosslessStringConvertible>(step: Int, _ values: [(String, Value)]) throws {
        var line = "{\"step\":\(step),\"wall_time\":\(LineFile.wallTime())"
        for (name, value) in values {
            guard name != "step" && name != "wall_time" else {
                throw LogFileError.reservedName(path: url.path, name: name)
            }
            line += ",\(Self.quote(name)):\(value.isFinite ? LineFile.number(value) : "null")"
        }
        try file.write(line + "}\n")
    }

    /// Logs one named value at `step`.
    public func log<Value: BinaryFloatingPoint & LosslessStringConvertible>(step: Int, name: String, value: Value) throws {
        try log(step: step, [(name, value)])
    }

    /// Forces the written lines to disk (fsync).
    public func flush() throws { try file.synchronize() }

    /// Closes the file. Closing twice is harmless; logging after closing throws.
    public func close() throws { try file.close() }

    /// Reads a file written by `JSONLinesLogger` back: one series per name, in order of first
    /// appearance; `null` values read as NaN.
    /// - Throws: ``LogFileError/malformed(path:line:reason:)`` for a line that is not such an object.
    public static func read(from url: URL) throws -> [ScalarSeries] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw LogFileError.cannotOpen(path: url.path, reason: error.localizedDescription)
        }
        var collector = ScalarSeries.Collector()
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
                  let step = (object["step"] as? NSNumber)?.intValue else {
                throw LogFileError.malformed(path: url.path, line: i + 1, reason: "not a JSON object with a step")
            }
            // JSONSerialization forgets the key order; restore it from the text.
            let names = object.keys.filter { $0 != "step" && $0 != "wall_time" }.sorted { a, b in
                let ra = trimmed.range(of: quote(a) + ":")?.lowerBound ?? trimmed.endIndex
                let rb = trimmed.range(of: quote(b) + ":")?.lowerBound ?? trimmed.endIndex
                return ra < rb
            }
            for name in names {
                let value: Double
                if let number = object[name] as? NSNumber {
                    value = number.doubleValue
                } else if object[name] is NSNull {
                    value = .nan
                } else {
                    throw LogFileError.malformed(path: url.path, line: i + 1, reason: "\"\(name)\" is not a number")
                }
                collector.add(name, step: step, value: value)
            }
        }
        return collector.series
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
