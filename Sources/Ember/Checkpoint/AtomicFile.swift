import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement: the new contents become visible all at once, or not at all.
///
/// `AtomicFile.write` writes to a temporary file in the target's folder (so the final rename
/// stays within one file system), flushes it to disk with `fsync`, renames it over the target,
/// then flushes the folder so the rename itself is durable. If anything fails or throws before
/// the rename, the temporary file is removed and the previous file at the target, if any, is
/// left exactly as it was. Use it for every checkpoint save:
///
/// ```swift
/// try AtomicFile.write(data: bytes, to: checkpointURL)
///
/// // Or stream the contents without building them in memory first:
/// try AtomicFile.write(to: checkpointURL) { file in
///     try file.write(header)
///     for chunk in chunks { try file.write(chunk) }
/// }
/// ```
public enum AtomicFile {
    /// Writes `data` to `url`, atomically replacing any existing file.
    ///
    /// - Throws: ``AtomicFileError`` naming the path and the failed step; the target is then unchanged.
    public static func write(data: Data, to url: URL) throws(AtomicFileError) {
        try write(to: url) { file in try file.write(data) }
    }

    /// Streams new contents for `url` through `contents`, then atomically replaces the target.
    ///
    /// `contents` receives a ``Writer`` for the temporary file; the writer is only valid during
    /// the call. If `contents` throws, nothing is replaced and the error is reported as
    /// ``AtomicFileError/contentsFailed(target:underlying:)``.
    ///
    /// - Throws: ``AtomicFileError`` naming the path and the failed step; before the rename the
    ///   target is unchanged. A failure to flush the folder after a successful rename is reported
    ///   as ``AtomicFileError/directorySyncFailed(target:directory:reason:)``: the new file is then in place
    ///   but its rename may not survive a power loss.
    public static func write(to url: URL, contents: (Writer) throws -> Void) throws(AtomicFileError) {
        let targetPath = url.path
        let directoryPath = url.deletingLastPathComponent().path
        let temporaryPath = temporaryPath(for: url)

        let descriptor: Int32
        do {
            descriptor = try CheckpointPOSIX.open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o644)
        } catch {
            throw .createTemporaryFailed(target: targetPath, temporary: temporaryPath, reason: error.message)
        }

        let writer = Writer(descriptor: descriptor, target: targetPath, temporaryPath: temporaryPath)
        do {
            do {
                try contents(writer)
            } catch let error as AtomicFileError {
                throw error
            } catch {
                throw AtomicFileError.contentsFailed(target: targetPath, underlying: error)
            }
            writer.isOpen = false
            do {
                try CheckpointPOSIX.sync(descriptor)
            } catch {
                throw AtomicFileError.writeFailed(target: targetPath, temporary: temporaryPath, reason: error.message)
            }
        } catch {
            writer.isOpen = false
            CheckpointPOSIX.closeQuietly(descriptor)
            CheckpointPOSIX.unlinkQuietly(temporaryPath)
            throw error as? AtomicFileError ?? .writeFailed(target: targetPath, temporary: temporaryPath, reason: "\(error)")
        }

        do {
            try CheckpointPOSIX.closeChecked(descriptor)
        } catch {
            CheckpointPOSIX.unlinkQuietly(temporaryPath)
            throw .writeFailed(target: targetPath, temporary: temporaryPath, reason: error.message)
        }
        do {
            try CheckpointPOSIX.rename(temporaryPath, targetPath)
        } catch {
            CheckpointPOSIX.unlinkQuietly(temporaryPath)
            throw .renameFailed(target: targetPath, temporary: temporaryPath, reason: error.message)
        }
        do {
            try CheckpointPOSIX.syncDirectory(directoryPath.isEmpty ? "." : directoryPath)
        } catch {
            throw .directorySyncFailed(target: targetPath, directory: directoryPath, reason: error.message)
        }
    }

    /// The temporary file name used while writing `url`: hidden, in the same folder, unique per
    /// process and call, e.g. `.ckpt-10.safetensors.tmp-4242-9f3a0c1b2d4e5f60`.
    static func temporaryPath(for url: URL) -> String {
        let name = url.lastPathComponent
        let random = String(UInt64.random(in: UInt64.min...UInt64.max), radix: 16)
        let temporaryName = ".\(name).tmp-\(getpid())-\(random)"
        return url.deletingLastPathComponent().appendingPathComponent(temporaryName).path
    }

    /// Appends bytes to the temporary file during ``AtomicFile/write(to:contents:)``.
    ///
    /// Only valid inside the `contents` closure; writing after it returns throws.
    public final class Writer {
        fileprivate let descriptor: Int32
        fileprivate var isOpen = true
        /// The file being saved.
        public let target: String
        /// The temporary file being written.
        public let temporaryPath: String
        /// The number of bytes written so far.
        public private(set) var byteCount = 0

        fileprivate init(descriptor: Int32, target: String, temporaryPath: String) {
            self.descriptor = descriptor
            self.target = target
            self.temporaryPath = temporaryPath
        }

        /// Appends raw bytes.
        public func write(_ buffer: UnsafeRawBufferPointer) throws(AtomicFileError) {
            guard isOpen else {
                throw .writeFailed(target: target, temporary: temporaryPath, reason: "the writer was used after its write(to:contents:) call ended")
            }
            do {
                try CheckpointPOSIX.writeFully(descriptor, buffer)
            } catch {
                throw .writeFailed(target: target, temporary: temporaryPath, reason: error.message)
            }
            byteCount += buffer.count
        }

        /// Appends the bytes of an array.
        public func write(_ bytes: [UInt8]) throws(AtomicFileError) {
            var failure: AtomicFileError?
            bytes.withUnsafeBytes { raw in
                do throws(AtomicFileError) { try write(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }

        /// Appends the bytes of a `Data` value.
        public func write(_ data: Data) throws(AtomicFileError) {
            var failure: AtomicFileError?
            data.withUnsafeBytes { raw in
                do throws(AtomicFileError) { try write(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }
}

/// Why an atomic save failed. Every case names the target file; unless the case is
/// ``directorySyncFailed(target:directory:reason:)``, the previous file at the target (if any)
/// is unchanged and the temporary file has been removed.
public enum AtomicFileError: Error, CustomStringConvertible, LocalizedError {
    /// The temporary file next to the target could not be created (missing folder, no permission, ...).
    case createTemporaryFailed(target: String, temporary: String, reason: String)
    /// Writing or flushing the temporary file failed (disk full, I/O error, ...).
    case writeFailed(target: String, temporary: String, reason: String)
    /// The closure producing the contents threw `underlying`; nothing was replaced.
    case contentsFailed(target: String, underlying: any Error)
    /// The finished temporary file could not be renamed over the target (for example the target
    /// is a folder).
    case renameFailed(target: String, temporary: String, reason: String)
    /// The new file is in place, but flushing its folder failed, so the rename may not survive
    /// a power loss.
    case directorySyncFailed(target: String, directory: String, reason: String)

    /// The path of the file that was being saved.
    public var target: String {
        switch self {
        case let .createTemporaryFailed(target, _, _), let .writeFailed(target, _, _),
             let .contentsFailed(target, _), let .renameFailed(target, _, _),
             let .directorySyncFailed(target, _, _):
            return target
        }
    }

    /// The step that failed and why, without the target path (for use inside other messages).
    public var reason: String {
        switch self {
        case let .createTemporaryFailed(_, temporary, reason):
            return "cannot create temporary file '\(temporary)': \(reason)"
        case let .writeFailed(_, temporary, reason):
            return "writing temporary file '\(temporary)' failed: \(reason); the previous file was left unchanged"
        case let .contentsFailed(_, underlying):
            return "producing the contents failed: \(underlying); the previous file was left unchanged"
        case let .renameFailed(_, temporary, reason):
            return "cannot rename '\(temporary)' over the target: \(reason); the previous file was left unchanged"
        case let .directorySyncFailed(_, directory, reason):
            return "the file was saved, but flushing folder '\(directory)' failed: \(reason)"
        }
    }

    /// The file being saved and what went wrong.
    public var description: String { "cannot save '\(target)': \(reason)" }

    /// Same as ``description``.
    public var errorDescription: String? { description }
}
