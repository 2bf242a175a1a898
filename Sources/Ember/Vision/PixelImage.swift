// An 8-bit image in memory: the common currency of PNG files, image grids, plots and
// TensorBoard image summaries.

import Foundation

/// An error raised when an image's parts do not fit together.
public enum PixelImageError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// Width or height is zero or negative, or the image is unreasonably large.
    case invalidSize(width: Int, height: Int)
    /// The pixel buffer's length is not `width * height * channels`.
    case pixelCountMismatch(width: Int, height: Int, channels: Int, count: Int)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .invalidSize(let width, let height):
            return "invalid image size \(width)x\(height): both sides must be between 1 and 2^24"
        case .pixelCountMismatch(let width, let height, let channels, let count):
            return "image \(width)x\(height) with \(channels) channel(s) needs \(width * height * channels) "
                + "bytes, got \(count)"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// An 8-bit-per-channel image, rows top to bottom, channels interleaved (`RGBRGB...`).
///
/// ```swift
/// var image = PixelImage(width: 2, height: 1, format: .rgb)
/// image[0, 0] = [255, 0, 0]          // a red pixel at x = 0, y = 0
/// try image.writePNG(to: URL(fileURLWithPath: "red.png"))
/// ```
public struct PixelImage: Sendable, Equatable {
    /// How the channels of a pixel are laid out.
    public enum Format: Int, Sendable, CaseIterable {
        /// One grey channel.
        case grey = 1
        /// Grey and alpha.
        case greyAlpha = 2
        /// Red, green, blue.
        case rgb = 3
        /// Red, green, blue, alpha.
        case rgba = 4

        /// Bytes per pixel.
        public var channels: Int { rawValue }

        /// The format with this many channels (1, 2, 3 or 4), or `nil`.
        public init?(channels: Int) { self.init(rawValue: channels) }

        /// The colour space number TensorBoard's `Image` message uses (1 grey, 2 grey+alpha,
        /// 3 RGB, 4 RGBA).
        public var tensorBoardColorspace: Int { rawValue }
    }

    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// The channel layout.
    public let format: Format
    /// `width * height * format.channels` bytes, row-major, channels interleaved.
    /// Change the values freely; changing the count stops the program (a programming error).
    public var pixels: [UInt8] {
        didSet {
            precondition(pixels.count == width * height * format.channels,
                         "PixelImage: pixels must keep \(width * height * format.channels) bytes, now \(pixels.count)")
        }
    }

    /// The largest side accepted (16,777,216 pixels).
    public static let maximumSide = 1 << 24

    /// Creates an image from its pixel bytes.
    /// - Throws: ``PixelImageError`` when the size is invalid or the byte count does not match.
    public init(width: Int, height: Int, format: Format, pixels: [UInt8]) throws {
        try Self.validate(width: width, height: height)
        guard pixels.count == width * height * format.channels else {
            throw PixelImageError.pixelCountMismatch(width: width, height: height, channels: format.channels,
                                                     count: pixels.count)
        }
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// Creates an image filled with `value` in every channel (black and transparent by default).
    /// - Precondition: `1...PixelImage.maximumSide` contains both sides.
    public init(width: Int, height: Int, format: Format, fill value: UInt8 = 0) {
        precondition((1...Self.maximumSide).contains(width) && (1...Self.maximumSide).contains(height)
                     && width.multipliedReportingOverflow(by: height).overflow == false,
                     "PixelImage: invalid size \(width)x\(height)")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = [UInt8](repeating: value, count: width * height * format.channels)
    }

    static func validate(width: Int, height: Int) throws {
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height),
              !(width * height).multipliedReportingOverflow(by: 4).overflow,
              width * height <= 1 << 31 else {
            throw PixelImageError.invalidSize(width: width, height: height)
        }
    }

    /// The channels of the pixel at column `x`, row `y` (0-based, from the top-left corner).
    /// - Precondition: the pixel lies inside the image and a new value has `format.channels` bytes.
    public subscript(x: Int, y: Int) -> [UInt8] {
        get {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "PixelImage: pixel (\(x), \(y)) outside \(width)x\(height)")
            let start = (y * width + x) * format.channels
            return Array(pixels[start..<start + format.channels])
        }
        set {
            precondition(x >= 0 && x < width && y >= 0 && y < height, "PixelImage: pixel (\(x), \(y)) outside \(width)x\(height)")
            precondition(newValue.count == format.channels, "PixelImage: \(newValue.count) channel values for a \(format) image")
            let start = (y * width + x) * format.channels
            pixels.replaceSubrange(start..<start + format.channels, with: newValue)
        }
    }

    /// The same picture with three channels (grey is repeated; alpha is dropped).
    public func toRGB() -> PixelImage {
        if format == .rgb { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let c = format.channels
        for i in 0..<(width * height) {
            switch format {
            case .grey, .greyAlpha:
                let v = pixels[i * c]
                out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v
            case .rgb, .rgba:
                out[3 * i] = pixels[i * c]; out[3 * i + 1] = pixels[i * c + 1]; out[3 * i + 2] = pixels[i * c + 2]
            }
        }
        // Sizes were validated when `self` was made.
        return try! PixelImage(width: width, height: height, format: .rgb, pixels: out)
    }
}
