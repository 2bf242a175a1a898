// Logging scalars to a CSV file, one row per value: step,name,value,wall_time.

import Foundation

/// Writes scalars (loss, accuracy, learning rate...) to a CSV file as they are logged, one row
/// per value, so any spreadsheet, `pandas.read_csv` or ``LinePlot`` can read it.
///
/// ```swift
/// let log = try CSVLogger(path: "runs/mnist/scalars.csv")
/// try log.log(step: 100, ["loss": 0.31, "accuracy": 0.91])
/// ...
/// var plot = LinePlot(title: "MNIST")
/// for series in try CSVLogger.read(from: log.url) { plot.add(series) }
/// ```
///
/// The file starts with the header `step,name,value,wall_time`; names containing commas, quotes
/// or line breaks are quoted as RFC 4180 says; NaN and infinities are written `nan`, `inf`,
/// `-inf`. Each `log` call is one write to the file, so the file can be read while training runs.
public final class CSVLogger: @unchecked Sendable {
    private let file: LineFile

    /// The file being written.
    public var url: URL { file.url }

    /// Opens `url` for logging (creating its folder if needed).
    /// - Parameter append: keep an existing file's rows and add to them (no second header);
    ///   otherwise an existing file is replaced.
    /// - Throws: ``LogFileError/cannotOpen(path:reason:)``.
    public init(url: URL, append: Bool = false) throws {
        file = try LineFile(url: url, append: append)
        if !file.hadContent { try file.write("step,name,value,wall_time\n") }
    }

    /// Opens the file at `path` for logging.
    public convenience init(path: String, append: Bool = false) throws {
        try self.init(url: URL(fileURLWithPath: path), append: append)
    }

    /// Logs several named values at `step`, in the given order.
    public func log<Value: BinaryFloatingPoint & LosslessStringConvertible>(step: Int, _ values: KeyValuePairs<String, Value>) throws {
        try log(step: step, values.map { ($0.key, $0.value) })
    }

    /// Logs several named values at `step`, in the given order.
    public func log<Value: BinaryFloatingPoint & LosslessStringConvertible>(step: Int, _ values: [(String, Value)]) throws {
        guard !values.isEmpty else { return }
        let time = LineFile.wallTime()
        var text = ""
        for (name, value) in values {
            text += "\(step),\(Self.quote(name)),\(LineFile.number(value)),\(time)\n"
        }
        try file.write(text)
    }

    /// Logs one named value at `step`.
    public func log<Value: BinaryFloatingPoint & LosslessStringConvertible>(step: Int, name: String, value: Value) throws {
        try log(step: step, [(name, value)])
    }

    /// Forces the written rows to disk (fsync).
    public func flush() throws { try file.synchronize() }

    /// Closes the file. Closing twice is harmless; logging after closing throws.
    public func close() throws { try file.close() }

    /// Reads a file written by `CSVLogger` back: one series per name, in order of first appearance.
    /// - Throws: ``LogFileError/malformed(path:line:reason:)`` for a missing header or a bad row.
    public static func read(from url: URL) throws -> [ScalarSeries] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw LogFileError.cannotOpen(path: url.path, reason: error.localizedDescription)
        }
        let rows = parseRows(text)
        guard let header = rows.first, header.count >= 3, Array(header[0..<3]) == ["step", "name", "value"] else {
            throw LogFileError.malformed(path: url.path, line: 1, reason: "expected the header step,name,value,wall_time")
        }
        var collector = ScalarSeries.Collector()
        for (i, row) in rows.enumerated().dropFirst() {
            if row == [""] { continue }
            guard row.count >= 3, let step = Int(row[0]), let value = Double(row[2]) else {
                throw LogFileError.malformed(path: url.path, line: i + 1, reason: "expected step,name,value, got \(row)")
            }
            collector.add(row[1], step: step, value: value)
        }
        return collector.series
    }

    /// A field quoted when it contains a comma, a quote or a line break.
    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Splits CSV text into rows of fields (RFC 4180 quoting).
    static func parseRows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n":
                row.append(field); rows.append(row); row = []; field = ""
            case "\r": break
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
