// A minimal RGB raster canvas: filled rectangles, anti-aliased thick lines, bitmap text.
// Used by LinePlot; kept internal so the public surface stays small.

import Foundation

/// An RGB colour with 8-bit channels.
public struct RGBColor: Sendable, Equatable, Hashable {
    /// Red, 0...255.
    public var red: UInt8
    /// Green, 0...255.
    public var green: UInt8
    /// Blue, 0...255.
    public var blue: UInt8

    /// Creates a colour from its channels.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Creates a colour from a 24-bit hexadecimal value, `0xRRGGBB`.
    public init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// `#rrggbb`, as SVG and HTML write colours.
    public var hexString: String {
        String(format: "#%02x%02x%02x", red, green, blue)
    }

    /// White.
    public static let white = RGBColor(hex: 0xFFFFFF)
    /// Black.
    public static let black = RGBColor(hex: 0x000000)

    /// The ten colours of matplotlib's default cycle ("tab10"), used for series in order.
    public static let palette: [RGBColor] = [0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD,
                                             0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF].map { RGBColor(hex: $0) }
}

struct PlotCanvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]
    /// Drawing outside this rectangle (x0, y0, x1, y1; exclusive ends) is ignored.
    var clip: (x0: Int, y0: Int, x1: Int, y1: Int)

    init(width: Int, height: Int, background: RGBColor) {
        self.width = width
        self.height = height
        self.clip = (0, 0, width, height)
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            pixels[3 * i] = background.red
            pixels[3 * i + 1] = background.green
            pixels[3 * i + 2] = background.blue
        }
    }

    mutating func resetClip() { clip = (0, 0, width, height) }

    /// Blends `color` over the pixel with opacity `alpha` (0...1).
    @inline(__always)
    mutating func blend(_ x: Int, _ y: Int, _ color: RGBColor, _ alpha: Double = 1) {
        guard x >= clip.x0, x < clip.x1, y >= clip.y0, y < clip.y1, alpha > 0 else { return }
        let i = (y * width + x) * 3
        if alpha >= 1 {
            pixels[i] = color.red
            pixels[i + 1] = color.green
            pixels[i + 2] = color.blue
            return
        }
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 {
            UInt8((Double(old) * (1 - alpha) + Double(new) * alpha).rounded())
        }
        pixels[i] = mix(pixels[i], color.red)
        pixels[i + 1] = mix(pixels[i + 1], color.green)
        pixels[i + 2] = mix(pixels[i + 2], color.blue)
    }

    mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, _ color: RGBColor, alpha: Double = 1) {
        guard w > 0, h > 0 else { return }
        for yy in max(y, 0)..<max(min(y + h, height), max(y, 0)) {
            for xx in max(x, 0)..<max(min(x + w, width), max(x, 0)) { blend(xx, yy, color, alpha) }
        }
    }

    /// A one-pixel rectangle outline.
    mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, _ color: RGBColor) {
        fillRect(x: x, y: y, width: w, height: 1, color)
        fillRect(x: x, y: y + h - 1, width: w, height: 1, color)
        fillRect(x: x, y: y, width: 1, height: h, color)
        fillRect(x: x + w - 1, y: y, width: 1, height: h, color)
    }

    /// An anti-aliased line of the given thickness with round ends, from (x0, y0) to (x1, y1)
    /// in pixel coordinates (pixel centres at integer + 0.5).
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ color: RGBColor,
                       thickness: Double, alpha: Double = 1) {
        guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite else { return }
        let r = thickness / 2
        let minX = Int((min(x0, x1) - r - 1).rounded(.down)), maxX = Int((max(x0, x1) + r + 1).rounded(.up))
        let minY = Int((min(y0, y1) - r - 1).rounded(.down)), maxY = Int((max(y0, y1) + r + 1).rounded(.up))
        let dx = x1 - x0, dy = y1 - y0
        let lengthSquared = dx * dx + dy * dy
        for py in max(minY, clip.y0)..<max(min(maxY, clip.y1), max(minY, clip.y0)) {
            for px in max(minX, clip.x0)..<max(min(maxX, clip.x1), max(minX, clip.x0)) {
                let cx = Double(px) + 0.5, cy = Double(py) + 0.5
                var t = lengthSquared > 0 ? ((cx - x0) * dx + (cy - y0) * dy) / lengthSquared : 0
                t = min(max(t, 0), 1)
                let ex = cx - (x0 + t * dx), ey = cy - (y0 + t * dy)
                let distance = (ex * ex + ey * ey).squareRoot()
                let coverage = min(max(r + 0.5 - distance, 0), 1)
                if coverage > 0 { blend(px, py, color, coverage * alpha) }
            }
        }
    }

    /// Draws connected segments as one anti-aliased stroke: each pixel takes the largest coverage
    /// of any segment, so joints between segments are not painted twice (no beading with alpha).
    mutating func polyline(_ points: [(x: Double, y: Double)], _ color: RGBColor, thickness: Double, alpha: Double = 1) {
        guard !points.isEmpty else { return }
        let r = thickness / 2
        let x0 = clip.x0, y0 = clip.y0, w = clip.x1 - clip.x0, h = clip.y1 - clip.y0
        guard w > 0, h > 0 else { return }
        var coverage = [Float](repeating: 0, count: w * h)
        var touched = (minX: Int.max, minY: Int.max, maxX: Int.min, maxY: Int.min)
        for i in 0..<max(points.count - 1, 1) {
            let a = points[i], b = points.count > 1 ? points[i + 1] : points[i]
            guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { continue }
            let lowX = max(Int((min(a.x, b.x) - r - 1).rounded(.down)), x0)
            let highX = min(Int((max(a.x, b.x) + r + 1).rounded(.up)), clip.x1)
            let lowY = max(Int((min(a.y, b.y) - r - 1).rounded(.down)), y0)
            let highY = min(Int((max(a.y, b.y) + r + 1).rounded(.up)), clip.y1)
            guard lowX < highX, lowY < highY else { continue }
            touched = (min(touched.minX, lowX), min(touched.minY, lowY), max(touched.maxX, highX), max(touched.maxY, highY))
            let dx = b.x - a.x, dy = b.y - a.y
            let lengthSquared = dx * dx + dy * dy
            for py in lowY..<highY {
                for px in lowX..<highX {
                    let cx = Double(px) + 0.5, cy = Double(py) + 0.5
                    var t = lengthSquared > 0 ? ((cx - a.x) * dx + (cy - a.y) * dy) / lengthSquared : 0
                    t = min(max(t, 0), 1)
                    let ex = cx - (a.x + t * dx), ey = cy - (a.y + t * dy)
                    let c = Float(min(max(r + 0.5 - (ex * ex + ey * ey).squareRoot(), 0), 1))
                    let k = (py - y0) * w + (px - x0)
                    if c > coverage[k] { coverage[k] = c }
                }
            }
        }
        guard touched.minX < touched.maxX else { return }
        for py in touched.minY..<touched.maxY {
            for px in touched.minX..<touched.maxX {
                let c = coverage[(py - y0) * w + (px - x0)]
                if c > 0 { blend(px, py, color, Double(c) * alpha) }
            }
        }
    }

    /// Draws `text` with its top-left corner at (x, y) (or, vertical, its bottom-left corner).
    mutating func text(_ text: String, x: Int, y: Int, _ color: RGBColor, scale: Int, vertical: Bool = false) {
        BitmapFont.render(text, x: x, y: y, scale: scale, vertical: vertical) { px, py in
            blend(px, py, color)
        }
    }
}
