// PNG encoding and decoding (ISO/IEC 15948, the PNG specification), without any image library.
//
// Writing: 8-bit grey, grey+alpha, RGB or RGBA, one zlib stream split into IDAT chunks, per-row
// filters chosen like libpng does (smallest sum of absolute differences). Reading: non-interlaced
// files of every colour type; 16-bit samples are reduced to 8 bits, 1/2/4-bit grey and palette
// images are expanded, palette images become RGB (or RGBA with a tRNS chunk).

import Foundation

/// An error raised while reading or writing a PNG file.
public indirect enum PNGError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The data does not start with the 8-byte PNG signature.
    case notPNG(firstBytes: [UInt8])
    /// The data ends inside a chunk, or before the IEND chunk.
    case truncated(String)
    /// A chunk's stored CRC-32 does not match its contents.
    case crcMismatch(chunk: String, stored: UInt32, computed: UInt32)
    /// The IHDR chunk is missing, misplaced or holds impossible values.
    case invalidHeader(String)
    /// A valid PNG feature Ember does not read (interlacing, for example).
    case unsupported(String)
    /// The compressed image data is corrupt, too short, or uses an unknown row filter.
    case badImageData(String)
    /// The file could not be read or written; the reason comes from the file system.
    case io(path: String, reason: String)
    /// An error in a named file.
    case inFile(path: String, error: PNGError)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .notPNG(let bytes):
            let hex = bytes.map { String(format: "%02x", $0) }.joined(separator: " ")
            return "not a PNG file: it starts with \(hex), not 89 50 4e 47 0d 0a 1a 0a"
        case .truncated(let what): return "PNG data is truncated: \(what)"
        case .crcMismatch(let chunk, let stored, let computed):
            return "PNG chunk \(chunk) is corrupt: stored CRC 0x\(String(format: "%08x", stored)), "
                + "computed 0x\(String(format: "%08x", computed))"
        case .invalidHeader(let what): return "PNG header is invalid: \(what)"
        case .unsupported(let what): return "PNG feature not supported: \(what)"
        case .badImageData(let what): return "PNG image data is invalid: \(what)"
        case .io(let path, let reason): return "PNG file \(path): \(reason)"
        case .inFile(let path, let error): return "PNG file \(path): \(error.description)"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// Reads and writes PNG images.
///
/// ```swift
/// let data = try PNG.encode(image)             // Data starting with 89 50 4E 47
/// let back = try PNG.decode(data)              // == image
/// try PNG.write(image, to: URL(fileURLWithPath: "samples.png"))
/// ```
public enum PNG {
    /// The 8 bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// How the encoder filters each row before compression.
    public enum FilterStrategy: Sendable, Equatable {
        /// Choose per row the filter with the smallest sum of absolute values (libpng's heuristic).
        case adaptive
        /// Use one filter type (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) for every row.
        case fixed(UInt8)
    }

    /// Encodes `image` as an 8-bit PNG of its own colour type (grey, grey+alpha, RGB, RGBA).
    /// - Parameters:
    ///   - level: zlib compression level, 0 (store) to 9; -1 is zlib's default.
    ///   - filter: the row filter strategy.
    /// - Throws: ``PNGError`` or ``CompressionError`` for an invalid filter type or level.
    public static func encode(_ image: PixelImage, level: Int = -1, filter: FilterStrategy = .adaptive) throws -> Data {
        if case .fixed(let type) = filter, type > 4 {
            throw PNGError.badImageData("filter type \(type) does not exist (0...4)")
        }
        let channels = image.format.channels
        let stride = image.width * channels
        var filtered = [UInt8](repeating: 0, count: image.height * (stride + 1))
        image.pixels.withUnsafeBufferPointer { px in
            filtered.withUnsafeMutableBufferPointer { out in
                var candidate = [UInt8](repeating: 0, count: stride)
                for y in 0..<image.height {
                    let row = px.baseAddress! + y * stride
                    let previous: UnsafePointer<UInt8>? = y > 0 ? px.baseAddress! + (y - 1) * stride : nil
                    let destination = out.baseAddress! + y * (stride + 1)
                    let types: [UInt8]
                    switch filter {
                    case .adaptive: types = [0, 1, 2, 3, 4]
                    case .fixed(let t): types = [t]
                    }
                    var bestType: UInt8 = types[0]
                    var bestScore = Int.max
                    for t in types {
                        applyFilter(t, row: row, previous: previous, count: stride, bpp: channels, into: &candidate)
                        if types.count == 1 {
                            bestType = t
                            break
                        }
                        var score = 0
                        for v in candidate { score += v < 128 ? Int(v) : 256 - Int(v) }
                        if score < bestScore {
                            bestScore = score
                            bestType = t
                        }
                    }
                    if types.count > 1 {
                        applyFilter(bestType, row: row, previous: previous, count: stride, bpp: channels, into: &candidate)
                    }
                    destination[0] = bestType
                    for i in 0..<stride { destination[1 + i] = candidate[i] }
                }
            }
        }
        let compressed = try Zlib.compress(Data(filtered), level: level)

        var out = Data(signature)
        var header = Data()
        appendUInt32(&header, UInt32(image.width))
        appendUInt32(&header, UInt32(image.height))
        let colorType: UInt8
        switch image.format {
        case .grey: colorType = 0
        case .greyAlpha: colorType = 4
        case .rgb: colorType = 2
        case .rgba: colorType = 6
        }
        header.append(contentsOf: [8, colorType, 0, 0, 0])  // depth, colour type, compression, filter, interlace
        appendChunk(&out, "IHDR", header)
        var offset = 0
        let chunkLimit = 1 << 20
        repeat {
            let end = min(offset + chunkLimit, compressed.count)
            appendChunk(&out, "IDAT", compressed.subdata(in: offset..<end))
            offset = end
        } while offset < compressed.count
        appendChunk(&out, "IEND", Data())
        return out
    }

    /// Decodes a PNG image into 8-bit pixels.
    ///
    /// The result has format `.grey` (colour type 0), `.greyAlpha` (4), `.rgb` (2, or 3 without
    /// transparency) or `.rgba` (6, or 3 with a tRNS chunk). 16-bit samples keep their high byte.
    /// - Throws: ``PNGError`` for a file that is not a PNG, is truncated or corrupt, or uses
    ///   interlacing (not supported).
    public static func decode(_ data: Data) throws -> PixelImage {
        let bytes = [UInt8](data)
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw PNGError.notPNG(firstBytes: Array(bytes.prefix(8)))
        }
        var position = 8
        var header: (width: Int, height: Int, depth: Int, colorType: Int)?
        var palette: [UInt8] = []
        var transparency: [UInt8] = []
        var compressed = Data()
        var sawEnd = false
        var first = true
        while position < bytes.count {
            guard bytes.count - position >= 12 else {
                throw PNGError.truncated("a chunk header at byte \(position) is cut off")
            }
            let length = Int(readUInt32(bytes, position))
            let typeBytes = Array(bytes[position + 4..<position + 8])
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw PNGError.badImageData("invalid chunk type bytes \(typeBytes) at byte \(position)")
            }
            guard length <= Int(Int32.max), bytes.count - position - 12 >= length else {
                throw PNGError.truncated("chunk \(type) declares \(length) bytes, only \(bytes.count - position - 12) remain")
            }
            let body = Array(bytes[position + 8..<position + 8 + length])
            let stored = readUInt32(bytes, position + 8 + length)
            var crc = CRC32()
            crc.update(typeBytes)
            crc.update(body)
            guard crc.value == stored else {
                throw PNGError.crcMismatch(chunk: type, stored: stored, computed: crc.value)
            }
            position += 12 + length
            if first && type != "IHDR" { throw PNGError.invalidHeader("the first chunk is \(type), not IHDR") }
            first = false
            switch type {
            case "IHDR":
                guard header == nil else { throw PNGError.invalidHeader("more than one IHDR chunk") }
                header = try parseHeader(body)
            case "PLTE":
                guard body.count % 3 == 0, body.count > 0, body.count <= 768 else {
                    throw PNGError.invalidHeader("palette of \(body.count) bytes")
                }
                palette = body
            case "tRNS":
                transparency = body
            case "IDAT":
                compressed.append(contentsOf: body)
            case "IEND":
                sawEnd = true
            default:
                // Ancillary chunks (lower-case first letter) may be skipped; critical ones may not.
                if typeBytes[0] & 0x20 == 0 {
                    throw PNGError.unsupported("critical chunk \(type)")
                }
            }
            if sawEnd { break }
        }
        guard let header else { throw PNGError.invalidHeader("no IHDR chunk") }
        guard sawEnd else { throw PNGError.truncated("no IEND chunk") }
        guard !compressed.isEmpty else { throw PNGError.badImageData("no IDAT chunk") }
        let raw: Data
        do {
            raw = try Zlib.decompress(compressed)
        } catch {
            throw PNGError.badImageData("\(error)")
        }
        return try reconstruct([UInt8](raw), header: header, palette: palette, transparency: transparency)
    }

    /// Writes `image` as a PNG file. The data goes to a temporary file first and is renamed over
    /// `url`, so a failure never leaves a half-written image.
    /// - Throws: ``PNGError/io(path:reason:)`` when the file cannot be written.
    public static func write(_ image: PixelImage, to url: URL, level: Int = -1) throws {
        let data = try encode(image, level: level)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw PNGError.io(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Reads and decodes the PNG file at `url`.
    /// - Throws: ``PNGError/io(path:reason:)`` for a missing file, ``PNGError/inFile(path:error:)``
    ///   wrapping the decoding error for a bad one.
    public static func read(from url: URL) throws -> PixelImage {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw PNGError.io(path: url.path, reason: FileManager.default.fileExists(atPath: url.path)
                              ? error.localizedDescription : "no such file")
        }
        do {
            return try decode(data)
        } catch let error as PNGError {
            throw PNGError.inFile(path: url.path, error: error)
        }
    }

    // MARK: - Helpers

    private static func parseHeader(_ body: [UInt8]) throws -> (width: Int, height: Int, depth: Int, colorType: Int) {
        guard body.count == 13 else { throw PNGError.invalidHeader("IHDR has \(body.count) bytes, not 13") }
        let width = Int(readUInt32(body, 0)), height = Int(readUInt32(body, 4))
        let depth = Int(body[8]), colorType = Int(body[9])
        do {
            try PixelImage.validate(width: width, height: height)
        } catch {
            throw PNGError.invalidHeader("size \(width)x\(height)")
        }
        let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[colorType] else { throw PNGError.invalidHeader("colour type \(colorType)") }
        guard depths.contains(depth) else {
            throw PNGError.invalidHeader("bit depth \(depth) is not allowed for colour type \(colorType)")
        }
        guard body[10] == 0 else { throw PNGError.invalidHeader("compression method \(body[10])") }
        guard body[11] == 0 else { throw PNGError.invalidHeader("filter method \(body[11])") }
        guard body[12] == 0 else {
            if body[12] == 1 { throw PNGError.unsupported("interlaced (Adam7) images") }
            throw PNGError.invalidHeader("interlace method \(body[12])")
        }
        return (width, height, depth, colorType)
    }

    private static func reconstruct(_ raw: [UInt8], header: (width: Int, height: Int, depth: Int, colorType: Int),
                                    palette: [UInt8], transparency: [UInt8]) throws -> PixelImage {
        let samples: Int
        switch header.colorType {
        case 0, 3: samples = 1
        case 4: samples = 2
        case 2: samples = 3
        default: samples = 4
        }
        let bitsPerPixel = samples * header.depth
        let stride = (header.width * bitsPerPixel + 7) / 8
        let bpp = max(1, bitsPerPixel / 8)
        guard raw.count >= header.height * (stride + 1) else {
            throw PNGError.badImageData("\(raw.count) bytes of image data, \(header.height * (stride + 1)) needed "
                                        + "for \(header.height) rows of \(stride) bytes")
        }
        // Undo the row filters.
        var rows = [UInt8](repeating: 0, count: header.height * stride)
        var previous = [UInt8](repeating: 0, count: stride)
        var current = [UInt8](repeating: 0, count: stride)
        for y in 0..<header.height {
            let start = y * (stride + 1)
            let filterType = raw[start]
            for i in 0..<stride { current[i] = raw[start + 1 + i] }
            switch filterType {
            case 0: break
            case 1: for i in bpp..<max(bpp, stride) { current[i] = current[i] &+ current[i - bpp] }
            case 2: for i in 0..<stride { current[i] = current[i] &+ previous[i] }
            case 3:
                for i in 0..<stride {
                    let left = i >= bpp ? Int(current[i - bpp]) : 0
                    current[i] = current[i] &+ UInt8((left + Int(previous[i])) / 2)
                }
            case 4:
                for i in 0..<stride {
                    let a = i >= bpp ? current[i - bpp] : 0
                    let c = i >= bpp ? previous[i - bpp] : 0
                    current[i] = current[i] &+ paeth(a, previous[i], c)
                }
            default:
                throw PNGError.badImageData("row \(y) uses filter type \(filterType) (only 0...4 exist)")
            }
            for i in 0..<stride { rows[y * stride + i] = current[i] }
            swap(&previous, &current)
        }

        // Convert samples to 8-bit pixels.
        let width = header.width, height = header.height, depth = header.depth
        func sample(_ y: Int, _ index: Int) -> Int {   // index-th sample of row y, native depth
            switch depth {
            case 16: return Int(rows[y * stride + 2 * index])   // high byte
            case 8: return Int(rows[y * stride + index])
            default:
                let bit = index * depth
                let byte = rows[y * stride + bit / 8]
                let shift = 8 - depth - bit % 8
                return Int(byte >> UInt8(shift)) & ((1 << depth) - 1)
            }
        }
        switch header.colorType {
        case 3:
            guard !palette.isEmpty else { throw PNGError.badImageData("palette image without a PLTE chunk") }
            let entries = palette.count / 3
            let format: PixelImage.Format = transparency.isEmpty ? .rgb : .rgba
            var pixels = [UInt8](repeating: 0, count: width * height * format.channels)
            for y in 0..<height {
                for x in 0..<width {
                    let index = sample(y, x)
                    guard index < entries else {
                        throw PNGError.badImageData("pixel (\(x), \(y)) uses palette entry \(index) of \(entries)")
                    }
                    let o = (y * width + x) * format.channels
                    pixels[o] = palette[3 * index]
                    pixels[o + 1] = palette[3 * index + 1]
                    pixels[o + 2] = palette[3 * index + 2]
                    if format == .rgba { pixels[o + 3] = index < transparency.count ? transparency[index] : 255 }
                }
            }
            return try PixelImage(width: width, height: height, format: format, pixels: pixels)
        default:
            let format = PixelImage.Format(channels: samples)!
            var pixels = [UInt8](repeating: 0, count: width * height * samples)
            let scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1
            for y in 0..<height {
                for i in 0..<(width * samples) {
                    pixels[y * width * samples + i] = UInt8(sample(y, i) * scale)
                }
            }
            return try PixelImage(width: width, height: height, format: format, pixels: pixels)
        }
    }

    private static func applyFilter(_ type: UInt8, row: UnsafePointer<UInt8>, previous: UnsafePointer<UInt8>?,
                                    count: Int, bpp: Int, into out: inout [UInt8]) {
        for i in 0..<count {
            let x = row[i]
            let a: UInt8 = i >= bpp ? row[i - bpp] : 0
            let b: UInt8 = previous?[i] ?? 0
            let c: UInt8 = i >= bpp ? (previous?[i - bpp] ?? 0) : 0
            switch type {
            case 1: out[i] = x &- a
            case 2: out[i] = x &- b
            case 3: out[i] = x &- UInt8((Int(a) + Int(b)) / 2)
            case 4: out[i] = x &- paeth(a, b, c)
            default: out[i] = x
            }
        }
    }

    private static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    private static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    private static func appendUInt32(_ data: inout Data, _ value: UInt32) {
        data.append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }

    private static func appendChunk(_ out: inout Data, _ type: String, _ body: Data) {
        appendUInt32(&out, UInt32(body.count))
        let typeBytes = Array(type.utf8)
        out.append(contentsOf: typeBytes)
        out.append(body)
        var crc = CRC32()
        crc.update(typeBytes)
        crc.update(body)
        appendUInt32(&out, crc.value)
    }
}

extension PixelImage {
    /// The image encoded as PNG data (see ``PNG/encode(_:level:filter:)``).
    public func pngData(level: Int = -1) throws -> Data {
        try PNG.encode(self, level: level)
    }

    /// Writes the image as a PNG file, atomically (see ``PNG/write(_:to:level:)``).
    public func writePNG(to url: URL, level: Int = -1) throws {
        try PNG.write(self, to: url, level: level)
    }

    /// Reads a PNG file (see ``PNG/read(from:)``).
    public init(pngFile url: URL) throws {
        self = try PNG.read(from: url)
    }
}
