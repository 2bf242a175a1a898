import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes the safetensors checkpoint format (the format of Hugging Face `safetensors`,
/// PyTorch's `safetensors.torch.save_file`, MLX and others).
///
/// Layout: an 8-byte little-endian header length `N`; `N` bytes of UTF-8 JSON mapping each tensor
/// name to `{"dtype", "shape", "data_offsets"}` (plus an optional `__metadata__` string map),
/// padded with spaces to a multiple of 8; then the tensors' little-endian bytes back to back.
///
/// Reading validates everything before returning and never crashes on bad input: every defect
/// is reported as a ``SafeTensorsError`` naming the file and the problem. Writing produces
/// exactly the bytes Python's `safetensors` produces for the same tensors and metadata (with
/// metadata keys in sorted order) and replaces the target atomically, so an interrupted save
/// leaves the previous file intact.
///
/// ```swift
/// try SafeTensorsFile.write(
///     entries: [SafeTensorsEntry(name: "w", shape: [2, 2], floats: [1, 2, 3, 4])],
///     metadata: ["step": "10"],
///     to: URL(fileURLWithPath: "ckpt-10.safetensors"))
/// let archive = try SafeTensorsFile.read(from: URL(fileURLWithPath: "ckpt-10.safetensors"))
/// ```
public enum SafeTensorsFile {
    /// The path shown in errors about data that did not come from a file.
    public static let inMemorySource = "<memory>"

    // MARK: - Reading

    /// Reads and validates the safetensors file at `url`.
    ///
    /// Only the header and the tensors' bytes are read (no extra copy of the whole file), and the
    /// file is checked completely (sizes, offsets, dtypes, duplicate keys, trailing bytes) before
    /// any tensor is returned.
    ///
    /// - Throws: ``SafeTensorsError/io(path:reason:)`` when the file cannot be opened or read,
    ///   ``SafeTensorsError/malformed(path:problem:)`` when its contents are invalid.
    public static func read(from url: URL) throws(SafeTensorsError) -> SafeTensorsArchive {
        let path = url.path
        let descriptor: Int32
        do {
            descriptor = try CheckpointPOSIX.open(path, O_RDONLY | O_CLOEXEC)
        } catch {
            throw .io(path: path, reason: "cannot open: \(CheckpointPOSIX.describe(error.code))")
        }
        defer { CheckpointPOSIX.closeQuietly(descriptor) }

        let fileSize: Int
        do {
            let info = try CheckpointPOSIX.fileSize(descriptor)
            guard info.isRegular else { throw SafeTensorsError.io(path: path, reason: "not a regular file") }
            fileSize = info.size
        } catch let error as SafeTensorsError {
            throw error
        } catch let error as CheckpointPOSIX.Failure {
            throw .io(path: path, reason: error.message)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }

        return try decode(path: path, fileSize: fileSize) { (offset, count) throws(SafeTensorsError) -> [UInt8] in
            var failure: CheckpointPOSIX.Failure?
            var readCount = 0
            let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                do throws(CheckpointPOSIX.Failure) {
                    readCount = try CheckpointPOSIX.readFully(descriptor, into: UnsafeMutableRawBufferPointer(buffer), offset: offset)
                } catch {
                    failure = error
                }
                initialized = readCount
            }
            if let failure { throw .io(path: path, reason: failure.message) }
            guard readCount == count else {
                throw .io(path: path, reason: "the file became shorter while it was being read")
            }
            return bytes
        }
    }

    /// Reads and validates safetensors bytes held in memory (for example downloaded data).
    ///
    /// - Parameter source: the name to show in error messages instead of a file path.
    /// - Throws: ``SafeTensorsError/malformed(path:problem:)`` when the bytes are invalid.
    public static func read(from data: Data, source: String = inMemorySource) throws(SafeTensorsError) -> SafeTensorsArchive {
        try decode(path: source, fileSize: data.count) { (offset, count) throws(SafeTensorsError) -> [UInt8] in
            data.withUnsafeBytes { raw -> [UInt8] in
                // `decode` only asks for ranges inside `0..<fileSize`; clamp anyway so no input can trap.
                let start = min(max(offset, 0), raw.count)
                let end = start + min(max(count, 0), raw.count - start)
                return [UInt8](raw[start..<end])
            }
        }
    }

    /// Shared decoding: `readBytes(offset, count)` returns `count` bytes of the file from `offset`.
    private static func decode(
        path: String,
        fileSize: Int,
        readBytes: (Int, Int) throws(SafeTensorsError) -> [UInt8]
    ) throws(SafeTensorsError) -> SafeTensorsArchive {
        let header: SafeTensorsHeader
        do {
            let prefix = fileSize >= 8 ? try readBytes(0, 8) : []
            let length = try SafeTensorsHeader.headerLength(prefix: prefix, fileSize: fileSize)
            let headerBytes = try readBytes(8, length)
            header = try SafeTensorsHeader.parse(headerBytes: headerBytes, fileSize: fileSize)
        } catch let error as SafeTensorsError {
            throw error
        } catch let problem as SafeTensorsFormatProblem {
            throw .malformed(path: path, problem: problem)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
        var entries: [SafeTensorsEntry] = []
        entries.reserveCapacity(header.tensors.count)
        for tensor in header.tensors {
            let data = try readBytes(header.dataStart + tensor.begin, tensor.end - tensor.begin)
            entries.append(SafeTensorsEntry(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, data: data))
        }
        return SafeTensorsArchive(entries: entries, metadata: header.metadata)
    }

    // MARK: - Writing

    /// Encodes entries and metadata into the bytes of a safetensors file.
    ///
    /// Tensors are laid out as the reference writer lays them out: by dtype (widest alignment
    /// first), then by name; the header lists `__metadata__` first (when `metadata` is not `nil`,
    /// with keys sorted), is padded with spaces to a multiple of 8 bytes, and the data follows.
    ///
    /// - Throws: ``SafeTensorsError/invalidEntry(path:name:reason:)`` when an entry's byte count
    ///   does not match its dtype and shape, a dimension is negative, two entries share a name, or
    ///   an entry is named `__metadata__`.
    public static func serialize(entries: [SafeTensorsEntry], metadata: [String: String]? = nil) throws(SafeTensorsError) -> Data {
        let (ordered, header) = try prepare(entries: entries, metadata: metadata, path: inMemorySource)
        var result = Data()
        result.reserveCapacity(8 + header.count + ordered.reduce(0) { $0 + $1.data.count })
        result.append(contentsOf: lengthPrefix(header.count))
        result.append(contentsOf: header)
        for entry in ordered { result.append(contentsOf: entry.data) }
        return result
    }

    /// Writes entries and metadata to `url` as a safetensors file, atomically.
    ///
    /// The file is written next to the target under a temporary name, flushed to disk, then
    /// renamed over `url` (see ``AtomicFile``): a crash or error mid-save leaves any previous file
    /// at `url` untouched, and no temporary file behind. Pass `metadata: nil` to omit the
    /// `__metadata__` key entirely; a non-nil map (even empty) is written, keys sorted.
    ///
    /// - Throws: ``SafeTensorsError/invalidEntry(path:name:reason:)`` for inconsistent entries
    ///   (checked before the disk is touched), ``SafeTensorsError/io(path:reason:)`` when the
    ///   file cannot be written.
    public static func write(entries: [SafeTensorsEntry], metadata: [String: String]? = nil, to url: URL) throws(SafeTensorsError) {
        let path = url.path
        let (ordered, header) = try prepare(entries: entries, metadata: metadata, path: path)
        do {
            try AtomicFile.write(to: url) { writer in
                try writer.write(lengthPrefix(header.count))
                try writer.write(header)
                for entry in ordered { try writer.write(entry.data) }
            }
        } catch {
            throw .io(path: path, reason: error.reason)
        }
    }

    /// Writes an archive's entries (and its metadata, omitted when empty) to `url`, atomically.
    ///
    /// - Throws: see ``write(entries:metadata:to:)``.
    public static func write(_ archive: SafeTensorsArchive, to url: URL) throws(SafeTensorsError) {
        try write(entries: archive.entries, metadata: archive.metadata.isEmpty ? nil : archive.metadata, to: url)
    }

    /// Validates the entries and returns them in write order together with the padded header.
    private static func prepare(
        entries: [SafeTensorsEntry], metadata: [String: String]?, path: String
    ) throws(SafeTensorsError) -> ([SafeTensorsEntry], [UInt8]) {
        var names = Set<String>()
        for entry in entries {
            guard entry.name != SafeTensorsHeader.metadataKey else {
                throw .invalidEntry(path: path, name: entry.name, reason: "the name __metadata__ is reserved for the metadata map")
            }
            guard names.insert(entry.name).inserted else {
                throw .invalidEntry(path: path, name: entry.name, reason: "two entries have this name")
            }
            guard let count = SafeTensorsEntry.elementCount(of: entry.shape) else {
                throw .invalidEntry(path: path, name: entry.name, reason: "shape \(entry.shape) has a negative dimension or too many elements")
            }
            guard let expected = entry.dtype.byteCount(forElementCount: count) else {
                throw .invalidEntry(path: path, name: entry.name, reason: "\(entry.dtype.rawValue) with shape \(entry.shape) is not a whole number of bytes")
            }
            guard entry.data.count == expected else {
                throw .invalidEntry(path: path, name: entry.name,
                                    reason: "\(entry.dtype.rawValue) with shape \(entry.shape) needs \(expected) bytes, but the data has \(entry.data.count)")
            }
        }
        let ordered = SafeTensorsHeader.writeOrder(entries)
        let header = SafeTensorsHeader.encode(orderedEntries: ordered, metadata: metadata)
        guard header.count <= SafeTensorsHeader.maximumLength else {
            throw .invalidEntry(path: path, name: ordered.first?.name ?? "",
                                reason: "the header would be \(header.count) bytes, more than the format's limit of 100000000")
        }
        return (ordered, header)
    }

    /// The 8-byte little-endian encoding of the header length.
    private static func lengthPrefix(_ length: Int) -> [UInt8] {
        let value = UInt64(length)
        return (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}
