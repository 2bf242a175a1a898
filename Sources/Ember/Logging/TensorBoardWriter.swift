// Writing TensorBoard event files directly: protobuf Event messages in TFRecord framing, the
// same bytes torch.utils.tensorboard.SummaryWriter produces, with no TensorFlow or protobuf library.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error raised while writing TensorBoard logs. Every case names the file or the argument.
public enum TensorBoardError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The log directory or the events file could not be created.
    case cannotCreate(path: String, reason: String)
    /// Writing to the events file failed (disk full, file removed).
    case writeFailed(path: String, reason: String)
    /// The writer was closed; create a new one to keep logging.
    case closed(path: String)
    /// An argument is unusable (empty tag, bad image size, unknown colour space).
    case invalidArgument(String)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .cannotCreate(let path, let reason): return "TensorBoard: cannot create \(path): \(reason)"
        case .writeFailed(let path, let reason): return "TensorBoard: writing \(path) failed: \(reason)"
        case .closed(let path): return "TensorBoard: the writer for \(path) is closed"
        case .invalidArgument(let what): return "TensorBoard: \(what)"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// Writes scalars, images, histograms and text to a TensorBoard event file, like PyTorch's
/// `SummaryWriter`.
///
/// ```swift
/// let tb = try TensorBoardWriter(logDir: "runs/gan")
/// for step in 0..<1000 {
///     ...
///     try tb.addScalar(tag: "loss/generator", value: gLoss, step: step)
/// }
/// try tb.addImage(tag: "samples", image: try ImageGrid.make(values: fake, shape: [64, 1, 28, 28], range: -1...1), step: 1000)
/// try tb.close()
/// ```
/// Then run `tensorboard --logdir runs`.
///
/// The file is named `events.out.tfevents.<unix time>.<host name>.<process id>.<counter><suffix>`
/// inside `logDir` (created if needed), as TensorBoard's own writer names it. Events are buffered
/// in memory and written when ``flushInterval`` seconds have passed since the last write (checked
/// on each `add...` call), when 1 MiB has accumulated, on ``flush()`` and on ``close()``.
/// The writer may be used from several threads.
public final class TensorBoardWriter: @unchecked Sendable {
    /// The directory given at creation.
    public let logDirectory: URL
    /// The events file being written.
    public let fileURL: URL
    /// Seconds between automatic writes of buffered events.
    public let flushInterval: TimeInterval

    private let lock = NSLock()
    private var handle: FileHandle?
    private var pending = Data()
    private var lastFlush: TimeInterval

    /// Numbers the files this process creates, like TensorBoard's global uid.
    private static let counter = Counter()

    /// Creates `logDir` if needed and starts a new events file in it with the file-version
    /// record TensorBoard expects.
    /// - Parameters:
    ///   - filenameSuffix: appended to the file name (PyTorch's `filename_suffix`).
    ///   - flushInterval: seconds between automatic writes (PyTorch's `flush_secs` is 120).
    /// - Throws: ``TensorBoardError/cannotCreate(path:reason:)``.
    public init(logDir: URL, filenameSuffix: String = "", flushInterval: TimeInterval = 10) throws {
        logDirectory = logDir
        self.flushInterval = flushInterval
        do {
            try FileManager.default.createDirectory(at: logDir, withIntermediateDirectories: true)
        } catch {
            throw TensorBoardError.cannotCreate(path: logDir.path, reason: error.localizedDescription)
        }
        let now = Date().timeIntervalSince1970
        let name = String(format: "events.out.tfevents.%010d.", Int(now)) + Self.hostName()
            + ".\(getpid()).\(Self.counter.next())" + filenameSuffix
        fileURL = logDir.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: fileURL.path, contents: nil) else {
            throw TensorBoardError.cannotCreate(path: fileURL.path, reason: "the file cannot be created")
        }
        do {
            handle = try FileHandle(forWritingTo: fileURL)
        } catch {
            throw TensorBoardError.cannotCreate(path: fileURL.path, reason: error.localizedDescription)
        }
        lastFlush = now
        pending.append(TFRecord.frame(Self.fileVersionEvent(wallTime: now)))
        try flush()
    }

    /// Creates a writer for the directory at `logDir` (a path).
    public convenience init(logDir: String, filenameSuffix: String = "", flushInterval: TimeInterval = 10) throws {
        try self.init(logDir: URL(fileURLWithPath: logDir), filenameSuffix: filenameSuffix, flushInterval: flushInterval)
    }

    deinit {
        try? close()
    }

    /// Logs one scalar (PyTorch's `add_scalar`). The value is stored as a 32-bit float.
    /// - Parameter wallTime: seconds since 1970; `nil` means now.
    public func addScalar<Value: BinaryFloatingPoint>(tag: String, value: Value, step: Int, wallTime: Double? = nil) throws {
        try checkTag(tag)
        try append(Self.scalarEvent(tag: tag, value: Float(value), step: step, wallTime: wallTime ?? Self.now()))
    }

    /// Logs an already encoded image (PNG, or JPEG) of the given size.
    /// - Parameter colorspace: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (see ``PixelImage/Format/tensorBoardColorspace``).
    public func addImage(tag: String, png: Data, width: Int, height: Int, colorspace: Int, step: Int,
                         wallTime: Double? = nil) throws {
        try checkTag(tag)
        guard width > 0, height > 0, width <= Int(Int32.max), height <= Int(Int32.max) else {
            throw TensorBoardError.invalidArgument("image \"\(tag)\" has invalid size \(width)x\(height)")
        }
        guard (1...6).contains(colorspace) else {
            throw TensorBoardError.invalidArgument("image \"\(tag)\" has unknown colour space \(colorspace) (1...6)")
        }
        guard !png.isEmpty else { throw TensorBoardError.invalidArgument("image \"\(tag)\" has no data") }
        try append(Self.imageEvent(tag: tag, encoded: png, width: width, height: height, colorspace: colorspace,
                                   step: step, wallTime: wallTime ?? Self.now()))
    }

    /// Logs an image, PNG-encoded (PyTorch's `add_image`; grey images stay grey).
    public func addImage(tag: String, image: PixelImage, step: Int, wallTime: Double? = nil) throws {
        try addImage(tag: tag, png: PNG.encode(image), width: image.width, height: image.height,
                     colorspace: image.format.tensorBoardColorspace, step: step, wallTime: wallTime)
    }

    /// Logs an image given as raw 8-bit pixels, row-major, channels interleaved
    /// (1 grey, 3 RGB, 4 RGBA channels).
    /// - Throws: ``PixelImageError`` when the pixel count does not match, ``TensorBoardError`` otherwise.
    public func addImage(tag: String, pixels: [UInt8], width: Int, height: Int, channels: Int, step: Int,
                         wallTime: Double? = nil) throws {
        guard let format = PixelImage.Format(channels: channels) else {
            throw TensorBoardError.invalidArgument("image \"\(tag)\" has \(channels) channels (use 1, 2, 3 or 4)")
        }
        try addImage(tag: tag, image: PixelImage(width: width, height: height, format: format, pixels: pixels),
                     step: step, wallTime: wallTime)
    }

    /// Logs a histogram of `values` in `bins` equal-width buckets between their minimum and maximum
    /// (PyTorch's `add_histogram` with a fixed bin count). Non-finite values are left out.
    public func addHistogram<Value: BinaryFloatingPoint>(tag: String, values: [Value], step: Int, bins: Int = 64,
                                                         wallTime: Double? = nil) throws {
        try checkTag(tag)
        guard bins >= 1 else { throw TensorBoardError.invalidArgument("histogram \"\(tag)\" needs at least one bin") }
        let finite = values.lazy.map { Double($0) }.filter { $0.isFinite }
        guard !finite.isEmpty else {
            throw TensorBoardError.invalidArgument("histogram \"\(tag)\" has no finite values")
        }
        try append(Self.histogramEvent(tag: tag, values: Array(finite), bins: bins, step: step,
                                       wallTime: wallTime ?? Self.now()))
    }

    /// Logs a piece of text, shown in TensorBoard's Text tab under `tag/text_summary` (as PyTorch's
    /// `add_text` names it). Markdown is rendered.
    public func addText(tag: String, text: String, step: Int, wallTime: Double? = nil) throws {
        try checkTag(tag)
        try append(Self.textEvent(tag: tag + "/text_summary", text: text, step: step, wallTime: wallTime ?? Self.now()))
    }

    /// Writes buffered events to the file.
    /// - Throws: ``TensorBoardError/writeFailed(path:reason:)``.
    public func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        try flushLocked()
    }

    /// Flushes and closes the file. Closing twice is harmless; adding after closing throws.
    public func close() throws {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else { return }
        try flushLocked()
        self.handle = nil
        do {
            try handle.close()
        } catch {
            throw TensorBoardError.writeFailed(path: fileURL.path, reason: error.localizedDescription)
        }
    }

    // MARK: - Internals

    private func append(_ event: [UInt8]) throws {
        lock.lock()
        defer { lock.unlock() }
        guard handle != nil else { throw TensorBoardError.closed(path: fileURL.path) }
        pending.append(TFRecord.frame(event))
        if pending.count >= 1 << 20 || Self.now() - lastFlush >= flushInterval {
            try flushLocked()
        }
    }

    private func flushLocked() throws {
        guard let handle else {
            if pending.isEmpty { return }
            throw TensorBoardError.closed(path: fileURL.path)
        }
        lastFlush = Self.now()
        guard !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            throw TensorBoardError.writeFailed(path: fileURL.path, reason: error.localizedDescription)
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func checkTag(_ tag: String) throws {
        guard !tag.isEmpty else { throw TensorBoardError.invalidArgument("tags must not be empty") }
    }

    private static func now() -> Double { Date().timeIntervalSince1970 }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let name = String(decoding: bytes, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            defer { value += 1 }
            return value
        }
    }

    // MARK: - Event encoding (Event and Summary messages of tensorboard/compat/proto)

    /// Event { wall_time = 1; step = 2; <content> }. Step 0 is left out, as proto3 does.
    private static func event(wallTime: Double, step: Int, _ content: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var w = ProtobufWriter()
        w.double(1, wallTime)
        if step != 0 { w.int(2, Int64(step)) }
        content(&w)
        return w.bytes
    }

    /// The first record of every file: Event { wall_time, file_version: "brain.Event:2",
    /// source_metadata { writer: "ember" } }.
    static func fileVersionEvent(wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: 0) { w in
            w.string(3, "brain.Event:2")
            w.message(10) { $0.string(1, "ember") }
        }
    }

    /// Event { summary (5) { value (1) { tag (1), simple_value (2) } } }.
    static func scalarEvent(tag: String, value: Float, step: Int, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { w in
            w.message(5) { summary in
                summary.message(1) { v in
                    v.string(1, tag)
                    v.float(2, value)
                }
            }
        }
    }

    /// Event { summary { value { tag, image (4) { height 1, width 2, colorspace 3, encoded 4 } } } }.
    static func imageEvent(tag: String, encoded: Data, width: Int, height: Int, colorspace: Int, step: Int,
                           wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { w in
            w.message(5) { summary in
                summary.message(1) { v in
                    v.string(1, tag)
                    v.message(4) { image in
                        image.int(1, Int64(height))
                        image.int(2, Int64(width))
                        image.int(3, Int64(colorspace))
                        image.bytes(4, encoded)
                    }
                }
            }
        }
    }

    /// Event { summary { value { tag, histo (5) { min, max, num, sum, sum_squares, bucket_limit, bucket } } } },
    /// with a leading empty bucket so TensorBoard sees the left edge (as PyTorch writes it).
    static func histogramEvent(tag: String, values: [Double], bins: Int, step: Int, wallTime: Double) -> [UInt8] {
        var low = values.min()!, high = values.max()!
        if low == high { (low, high) = (low - 0.5, high + 0.5) }  // numpy.histogram's rule
        var counts = [Double](repeating: 0, count: bins)
        let width = (high - low) / Double(bins)
        var sum = 0.0, squares = 0.0
        for v in values {
            let index = min(Int((v - low) / width), bins - 1)
            counts[max(index, 0)] += 1
            sum += v
            squares += v * v
        }
        let limits = [low] + (1...bins).map { $0 == bins ? high : low + Double($0) * width }
        return event(wallTime: wallTime, step: step) { w in
            w.message(5) { summary in
                summary.message(1) { v in
                    v.string(1, tag)
                    v.message(5) { h in
                        h.double(1, values.min()!)
                        h.double(2, values.max()!)
                        h.double(3, Double(values.count))
                        h.double(4, sum)
                        h.double(5, squares)
                        h.packedDoubles(6, limits)
                        h.packedDoubles(7, [0] + counts)
                    }
                }
            }
        }
    }

    /// Event { summary { value { tag, metadata (9) { plugin_data { plugin_name: "text" } },
    /// tensor (8) { dtype: DT_STRING (7), tensor_shape { dim { size: 1 } }, string_val: text } } } }.
    static func textEvent(tag: String, text: String, step: Int, wallTime: Double) -> [UInt8] {
        event(wallTime: wallTime, step: step) { w in
            w.message(5) { summary in
                summary.message(1) { v in
                    v.string(1, tag)
                    v.message(8) { tensor in
                        tensor.int(1, 7)
                        tensor.message(2) { shape in shape.message(2) { $0.int(1, 1) } }
                        tensor.string(8, text)
                    }
                    v.message(9) { metadata in metadata.message(1) { $0.string(1, "text") } }
                }
            }
        }
    }
}
