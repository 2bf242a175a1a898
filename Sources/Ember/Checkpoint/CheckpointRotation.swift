import Foundation

/// Names checkpoint files by training step and keeps only the newest few.
///
/// Files are named `<prefix><step><suffix>` inside `directory`, for example
/// `runs/mnist/ckpt-1200.safetensors` with the defaults. After each save, call ``prune()`` to
/// delete all but the `keep` files with the highest step numbers; ``latest()`` finds the file to
/// resume from. Files that do not match the pattern exactly (other files, temporary files of an
/// interrupted save, folders) are never touched.
///
/// ```swift
/// let rotation = CheckpointRotation(directory: runDirectory, keep: 3)
/// try SafeTensorsFile.write(entries: entries, metadata: ["step": "\(step)"], to: rotation.url(forStep: step))
/// try rotation.prune()
/// ```
public struct CheckpointRotation: Sendable {
    /// One checkpoint file found in the folder.
    public struct Checkpoint: Equatable, Sendable {
        /// The training step encoded in the file name.
        public var step: Int
        /// The file's location.
        public var url: URL
    }

    /// The folder holding the checkpoints.
    public let directory: URL
    /// The text before the step number, e.g. `"ckpt-"`.
    public let prefix: String
    /// The text after the step number, e.g. `".safetensors"`.
    public let suffix: String
    /// How many of the newest checkpoints ``prune()`` keeps (at least 1).
    public let keep: Int

    /// Creates a rotation policy for `directory`.
    ///
    /// - Precondition: `keep >= 1`, and `prefix` does not contain `/`.
    public init(directory: URL, prefix: String = "ckpt-", suffix: String = ".safetensors", keep: Int) {
        precondition(keep >= 1, "CheckpointRotation: keep must be at least 1, got \(keep)")
        precondition(!prefix.contains("/") && !suffix.contains("/"), "CheckpointRotation: prefix and suffix must not contain '/'")
        self.directory = directory
        self.prefix = prefix
        self.suffix = suffix
        self.keep = keep
    }

    /// The file name for `step`: `<prefix><step><suffix>`.
    public func fileName(forStep step: Int) -> String { "\(prefix)\(step)\(suffix)" }

    /// The location of the checkpoint for `step`.
    public func url(forStep step: Int) -> URL { directory.appendingPathComponent(fileName(forStep: step)) }

    /// The step encoded in `fileName`, or `nil` if the name does not match `<prefix><digits><suffix>`.
    /// Leading zeros are accepted (`ckpt-0010.safetensors` is step 10); signs are not.
    public func step(fromFileName fileName: String) -> Int? {
        guard fileName.utf8.starts(with: prefix.utf8),
              fileName.utf8.reversed().starts(with: suffix.utf8.reversed()),
              fileName.utf8.count > prefix.utf8.count + suffix.utf8.count else { return nil }
        let digits = fileName.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count)
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = next
        }
        return value
    }

    /// The checkpoint files in the folder, oldest (lowest step) first. A missing folder has none.
    ///
    /// - Throws: ``CheckpointRotationError/cannotList(directory:reason:)`` if the folder exists but
    ///   cannot be read.
    public func checkpoints() throws(CheckpointRotationError) -> [Checkpoint] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else {
            throw .cannotList(directory: directory.path, reason: "not a folder")
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw .cannotList(directory: directory.path, reason: error.localizedDescription)
        }
        var found: [Checkpoint] = []
        for name in names {
            guard let step = step(fromFileName: name) else { continue }
            let url = directory.appendingPathComponent(name)
            var entryIsDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue else { continue }
            found.append(Checkpoint(step: step, url: url))
        }
        return found.sorted { left, right in
            if left.step != right.step { return left.step < right.step }
            return left.url.lastPathComponent.utf8.lexicographicallyPrecedes(right.url.lastPathComponent.utf8)
        }
    }

    /// The checkpoint with the highest step, or `nil` when there is none (start from scratch).
    ///
    /// - Throws: ``CheckpointRotationError/cannotList(directory:reason:)``.
    public func latest() throws(CheckpointRotationError) -> Checkpoint? {
        try checkpoints().last
    }

    /// Deletes all but the `keep` checkpoints with the highest steps and returns the deleted ones.
    ///
    /// - Throws: ``CheckpointRotationError`` if the folder cannot be listed or a file cannot be
    ///   deleted (files already deleted stay deleted; the newest `keep` are never touched).
    @discardableResult
    public func prune() throws(CheckpointRotationError) -> [Checkpoint] {
        let all = try checkpoints()
        guard all.count > keep else { return [] }
        let doomed = all.prefix(all.count - keep)
        var deleted: [Checkpoint] = []
        for checkpoint in doomed {
            do {
                try FileManager.default.removeItem(at: checkpoint.url)
            } catch {
                throw .cannotDelete(path: checkpoint.url.path, reason: error.localizedDescription)
            }
            deleted.append(checkpoint)
        }
        return deleted
    }
}

/// Why listing or pruning checkpoints failed.
public enum CheckpointRotationError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The checkpoint folder exists but could not be listed.
    case cannotList(directory: String, reason: String)
    /// An old checkpoint could not be deleted.
    case cannotDelete(path: String, reason: String)

    /// The folder or file and the problem.
    public var description: String {
        switch self {
        case let .cannotList(directory, reason):
            return "cannot list checkpoint folder '\(directory)': \(reason)"
        case let .cannotDelete(path, reason):
            return "cannot delete old checkpoint '\(path)': \(reason)"
        }
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }
}
