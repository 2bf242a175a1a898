#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the POSIX calls the checkpoint code needs (open, pread, write, fsync,
/// rename), retrying on `EINTR` and reporting failures as `errno` with its message.
enum CheckpointPOSIX {
    /// A failed system call: which call, and the `errno` it set.
    struct Failure: Error {
        var operation: String
        var code: Int32

        /// E.g. `open failed: No such file or directory (errno 2)`.
        var message: String { "\(operation) failed: \(CheckpointPOSIX.describe(code)) (errno \(code))" }
    }

    /// The C library's message for an `errno` value.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    /// Opens `path` with `flags`, retrying on `EINTR`.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(Failure) -> Int32 {
        while true {
            let descriptor = path.withCString { systemOpen($0, flags, mode) }
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw Failure(operation: "open", code: errno) }
        }
    }

    /// Closes a descriptor, ignoring errors (used on paths that already failed).
    static func closeQuietly(_ descriptor: Int32) {
        _ = close(descriptor)
    }

    /// Closes a descriptor, reporting failure (a failed close can mean lost writes).
    static func closeChecked(_ descriptor: Int32) throws(Failure) {
        if close(descriptor) != 0 && errno != EINTR {
            throw Failure(operation: "close", code: errno)
        }
    }

    /// The size in bytes of the open file, and whether it is a regular file.
    static func fileSize(_ descriptor: Int32) throws(Failure) -> (size: Int, isRegular: Bool) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw Failure(operation: "fstat", code: errno) }
        return (Int(info.st_size), (info.st_mode & S_IFMT) == S_IFREG)
    }

    /// Reads exactly `count` bytes at `offset` into `buffer`. Returns the number of bytes read,
    /// which is less than `count` only at end of file.
    static func readFully(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: Int) throws(Failure) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, base + done, buffer.count - done, off_t(offset + done))
            if result < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "read", code: errno)
            }
            if result == 0 { break }
            done += result
        }
        return done
    }

    /// Writes all of `buffer`, retrying on short writes and `EINTR`.
    static func writeFully(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) throws(Failure) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let result = write(descriptor, base + done, buffer.count - done)
            if result < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "write", code: errno)
            }
            done += result
        }
    }

    /// Flushes the file's data and metadata to stable storage.
    static func sync(_ descriptor: Int32) throws(Failure) {
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw Failure(operation: "fsync", code: errno) }
        }
    }

    /// Atomically replaces `target` with `source` (both in the same file system).
    static func rename(_ source: String, _ target: String) throws(Failure) {
        let result = source.withCString { from in target.withCString { to in systemRename(from, to) } }
        if result != 0 { throw Failure(operation: "rename", code: errno) }
    }

    /// Removes a file, ignoring errors (used to clean up temporary files).
    static func unlinkQuietly(_ path: String) {
        _ = path.withCString { unlink($0) }
    }

    /// Flushes a directory so that a rename inside it survives a crash. File systems that cannot
    /// sync directories (`EINVAL`, `ENOTSUP`) are treated as success.
    static func syncDirectory(_ path: String) throws(Failure) {
        let descriptor = try open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { closeQuietly(descriptor) }
        while fsync(descriptor) != 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EINVAL || code == ENOTSUP { return }
            throw Failure(operation: "fsync of directory", code: code)
        }
    }
}

// The module-level C functions, named so they do not clash with the static methods above.
@inline(__always) private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

@inline(__always) private func systemRename(_ from: UnsafePointer<CChar>, _ to: UnsafePointer<CChar>) -> Int32 {
    rename(from, to)
}
