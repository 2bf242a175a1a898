// Tiling a batch of images into one picture, like torchvision.utils.make_grid / save_image.

import Foundation

/// An error raised when a batch of images cannot be tiled.
public enum ImageGridError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The shape is not `[B, C, H, W]`, `[C, H, W]` or `[H, W]`, or has a zero or negative size.
    case invalidShape([Int])
    /// The number of values differs from the product of the shape.
    case valueCountMismatch(shape: [Int], count: Int)
    /// The channel count is not 1 (grey), 3 (RGB) or 4 (RGBA).
    case unsupportedChannels(Int)
    /// `nrow` is below 1 or `padding` is negative.
    case invalidLayout(nrow: Int, padding: Int)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .invalidShape(let shape):
            return "image grid: shape \(shape) is not [B, C, H, W], [C, H, W] or [H, W] with positive sizes"
        case .valueCountMismatch(let shape, let count):
            return "image grid: shape \(shape) needs \(shape.reduce(1, *)) values, got \(count)"
        case .unsupportedChannels(let channels):
            return "image grid: \(channels) channels; only 1 (grey), 3 (RGB) or 4 (RGBA) can be drawn"
        case .invalidLayout(let nrow, let padding):
            return "image grid: nrow must be at least 1 and padding at least 0 (got nrow \(nrow), padding \(padding))"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// Tiles a batch of images (NCHW floats) into one picture, with the same layout and value
/// mapping as torchvision's `make_grid` and `save_image`.
///
/// ```swift
/// // 64 generated digits in [-1, 1] (tanh output), 8 per row:
/// let picture = try ImageGrid.make(values: samples, shape: [64, 1, 28, 28], range: -1...1)
/// try picture.writePNG(to: URL(fileURLWithPath: "samples.png"))
/// ```
///
/// Layout: images are placed left to right, `nrow` per row (torchvision's confusing name: it is
/// the number of images *in* each row), with `padding` pixels of `padValue` around and between
/// them. A grid of B images is `ceil(B / min(nrow, B))` rows by `min(nrow, B)` columns, and
/// `rows * (H + padding) + padding` by `cols * (W + padding) + padding` pixels. As in
/// torchvision, a batch of one image is returned as it is, without padding.
///
/// Values: with neither `normalize` nor `range`, values are taken to lie in [0, 1]. With
/// `range`, values are clamped to it and mapped linearly onto [0, 1]; with `normalize` alone,
/// the batch's own minimum and maximum are used (each image's own with `scaleEach`). Pixels are
/// then `clamp(value * 255 + 0.5, 0, 255)` rounded down, exactly as `save_image` does; NaN
/// becomes 0. `padValue` is used as is (after, not before, the normalization).
public enum ImageGrid {
    /// A tiled grid as floats, channels first (`[channels, height, width]`, row-major), the
    /// analogue of `make_grid`'s returned tensor. Unlike `make_grid`, a one-channel batch stays
    /// one channel (torchvision repeats it three times; the picture looks the same).
    public struct FloatGrid: Sendable, Equatable {
        /// The values, `channels * height * width` of them, channel planes one after the other.
        public var values: [Float]
        /// 1, 3 or 4.
        public var channels: Int
        /// Grid height in pixels.
        public var height: Int
        /// Grid width in pixels.
        public var width: Int
    }

    /// Tiles `values` (shape `[B, C, H, W]`, `[C, H, W]` or `[H, W]`) into a float grid,
    /// normalized as described in the type's documentation.
    /// - Throws: ``ImageGridError`` for a bad shape, count, channel number or layout.
    public static func makeFloats(values: [Float], shape: [Int], nrow: Int = 8, padding: Int = 2,
                                  padValue: Float = 0, normalize: Bool = false,
                                  range: ClosedRange<Float>? = nil, scaleEach: Bool = false) throws -> FloatGrid {
        let dims: [Int]
        switch shape.count {
        case 4: dims = shape
        case 3: dims = [1] + shape
        case 2: dims = [1, 1] + shape
        default: throw ImageGridError.invalidShape(shape)
        }
        guard dims.allSatisfy({ $0 > 0 }) else { throw ImageGridError.invalidShape(shape) }
        let (batch, channels, height, width) = (dims[0], dims[1], dims[2], dims[3])
        let (total, overflow) = dims.dropFirst().reduce((batch, false)) { acc, d in
            let r = acc.0.multipliedReportingOverflow(by: d)
            return (r.partialValue, acc.1 || r.overflow)
        }
        guard !overflow else { throw ImageGridError.invalidShape(shape) }
        guard values.count == total else { throw ImageGridError.valueCountMismatch(shape: shape, count: values.count) }
        guard [1, 3, 4].contains(channels) else { throw ImageGridError.unsupportedChannels(channels) }
        guard nrow >= 1, padding >= 0 else { throw ImageGridError.invalidLayout(nrow: nrow, padding: padding) }

        var data = values
        if normalize || range != nil {
            let imageSize = channels * height * width
            let groups: [Range<Int>] = scaleEach
                ? (0..<batch).map { $0 * imageSize..<($0 + 1) * imageSize }
                : [0..<total]
            for group in groups {
                let low: Float, high: Float
                if let range {
                    (low, high) = (range.lowerBound, range.upperBound)
                } else {
                    var lo = Float.infinity, hi = -Float.infinity
                    for i in group where !data[i].isNaN {
                        lo = min(lo, data[i])
                        hi = max(hi, data[i])
                    }
                    if lo > hi { (lo, hi) = (0, 1) }  // all NaN
                    (low, high) = (lo, hi)
                }
                let scale = 1 / max(high - low, 1e-5)
                for i in group {
                    data[i] = (min(max(data[i], low), high) - low) * scale
                }
            }
        }

        if batch == 1 {
            return FloatGrid(values: data, channels: channels, height: height, width: width)
        }
        let columns = min(nrow, batch)
        let rows = (batch + columns - 1) / columns
        let cellH = height + padding, cellW = width + padding
        let gridH = rows * cellH + padding, gridW = columns * cellW + padding
        var grid = [Float](repeating: padValue, count: channels * gridH * gridW)
        for k in 0..<batch {
            let top = (k / columns) * cellH + padding
            let left = (k % columns) * cellW + padding
            for c in 0..<channels {
                for y in 0..<height {
                    let source = ((k * channels + c) * height + y) * width
                    let destination = (c * gridH + top + y) * gridW + left
                    for x in 0..<width { grid[destination + x] = data[source + x] }
                }
            }
        }
        return FloatGrid(values: grid, channels: channels, height: gridH, width: gridW)
    }

    /// Tiles `values` into a picture: grey for one channel, RGB for three, RGBA for four.
    /// See the type's documentation for the layout and the value mapping.
    /// - Throws: ``ImageGridError`` for a bad shape, count, channel number or layout.
    public static func make(values: [Float], shape: [Int], nrow: Int = 8, padding: Int = 2,
                            padValue: Float = 0, normalize: Bool = false,
                            range: ClosedRange<Float>? = nil, scaleEach: Bool = false) throws -> PixelImage {
        let grid = try makeFloats(values: values, shape: shape, nrow: nrow, padding: padding, padValue: padValue,
                                  normalize: normalize, range: range, scaleEach: scaleEach)
        return try image(from: grid)
    }

    /// Tiles `values` and writes the picture as a PNG file (torchvision's `save_image`).
    /// - Throws: ``ImageGridError`` or ``PNGError``.
    public static func save(values: [Float], shape: [Int], to url: URL, nrow: Int = 8, padding: Int = 2,
                            padValue: Float = 0, normalize: Bool = false,
                            range: ClosedRange<Float>? = nil, scaleEach: Bool = false) throws {
        let picture = try make(values: values, shape: shape, nrow: nrow, padding: padding, padValue: padValue,
                               normalize: normalize, range: range, scaleEach: scaleEach)
        try PNG.write(picture, to: url)
    }

    /// Converts a float grid (values in [0, 1]) to 8-bit pixels the way `save_image` does:
    /// `clamp(value * 255 + 0.5, 0, 255)` rounded down, NaN to 0.
    /// - Throws: ``ImageGridError`` when the grid's sizes and values do not agree.
    public static func image(from grid: FloatGrid) throws -> PixelImage {
        guard let format = PixelImage.Format(channels: grid.channels), grid.channels != 2 else {
            throw ImageGridError.unsupportedChannels(grid.channels)
        }
        let plane = grid.height * grid.width
        guard grid.values.count == plane * grid.channels else {
            throw ImageGridError.valueCountMismatch(shape: [grid.channels, grid.height, grid.width], count: grid.values.count)
        }
        var pixels = [UInt8](repeating: 0, count: plane * grid.channels)
        for c in 0..<grid.channels {
            for i in 0..<plane {
                pixels[i * grid.channels + c] = quantize(grid.values[c * plane + i])
            }
        }
        return try PixelImage(width: grid.width, height: grid.height, format: format, pixels: pixels)
    }

    /// `save_image`'s float-to-byte rule for one value in [0, 1].
    @inline(__always)
    static func quantize(_ value: Float) -> UInt8 {
        let v = value * 255 + 0.5
        guard !v.isNaN else { return 0 }
        return UInt8(min(max(v, 0), 255))
    }
}
