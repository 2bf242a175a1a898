// The file plumbing shared by CSVLogger and JSONLinesLogger: open (create or append), write
// whole lines, close; typed errors that name the file.

import Foundation

/// An error raised by the scalar loggers. Every case names the file.
public enum LogFileError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The file (or its folder) could not be created or opened.
    case cannotOpen(path: String, reason: String)
    /// Writing failed (disk full, file removed).
    case writeFailed(path: String, reason: String)
    /// The logger was closed.
    case closed(path: String)
    /// The file could not be read back, or a line is malformed.
    case malformed(path: String, line: Int, reason: String)
    /// A scalar name collides with a column the format reserves (`step`, `wall_time`).
    case reservedName(path: String, name: String)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "log file \(path) cannot be opened: \(reason)"
        case .writeFailed(let path, let reason): return "writing log file \(path) failed: \(reason)"
        case .closed(let path): return "log file \(path) is closed"
        case .malformed(let path, let line, let reason): return "log file \(path), line \(line): \(reason)"
        case .reservedName(let path, let name):
            return "log file \(path): the scalar name \"\(name)\" is reserved; choose another name"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// Appends whole lines to a file, one write per call, so a crash loses at most the line being
/// written and other programs can follow the file while training runs.
final class LineFile: @unchecked Sendable {
    let url: URL
    private var handle: FileHandle?
    private let lock = NSLock()
    /// Whether the file held data before it was opened (in append mode).
    let hadContent: Bool

    init(url: URL, append: Bool) throws {
        self.url = url
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw LogFileError.cannotOpen(path: url.path, reason: error.localizedDescription)
        }
        let exists = fileManager.fileExists(atPath: url.path)
        if !exists || !append {
            guard fileManager.createFile(atPath: url.path, contents: nil) else {
                throw LogFileError.cannotOpen(path: url.path, reason: "the file cannot be created")
            }
        }
        do {
            let handle = try FileHandle(forWritingTo: url)
            let end = try handle.seekToEnd()
            hadContent = end > 0
            self.handle = handle
        } catch {
            throw LogFileError.cannotOpen(path: url.path, reason: error.localizedDescription)
        }
    }

    deinit { try? handle?.close() }

    func write(_ text: String) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else { throw LogFileError.closed(path: url.path) }
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw LogFileError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }

    func synchronize() throws {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else { return }
        do {
            try handle.synchronize()
        } catch {
            throw LogFileError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }

    func close() throws {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else { return }
        self.handle = nil
        do {
            try handle.close()
        } catch {
            throw LogFileError.writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }

    /// A number as the shortest text that reads back to the same value (`0.1`, not
    /// `0.10000000149011612`, for a Float).
    static func number<Value: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Value) -> String {
        value.description
    }

    /// The current time in seconds since 1970, with millisecond precision.
    static func wallTime() -> String {
        String(format: "%.3f", Date().timeIntervalSince1970)
    }
}
