// Test images with the classifier's answers written under them, drawn with Ember's PixelImage,
// BitmapFont and PNG (no plotting library).
import Ember
import Foundation

/// One picture of the grid: its pixels and up to two caption lines.
struct LabelledImage {
    /// 28 x 28 grey values in [0, 1], row by row.
    var pixels: [Float]
    /// Caption lines under the image, each with its colour.
    var lines: [(text: String, color: RGBColor)]
}

let correctGreen = RGBColor(hex: 0x1A7F37), wrongRed = RGBColor(hex: 0xC62828), captionGrey = RGBColor(hex: 0x666666)

/// Draws `items` in a grid of `columns`, each image enlarged `scale` times, captions in the
/// built-in 5 x 8 bitmap font underneath. White background, RGB.
func labelledGrid(_ items: [LabelledImage], columns: Int, scale: Int = 2) -> PixelImage {
    let side = 28 * scale, lineHeight = BitmapFont.glyphHeight + 2
    let captionWidth = items.flatMap { $0.lines.map { BitmapFont.width(of: $0.text) } }.max() ?? 0
    let cellWidth = max(side, captionWidth) + 8
    let maxLines = items.map(\.lines.count).max() ?? 0
    let cellHeight = side + 4 + maxLines * lineHeight + 6
    let cols = max(1, min(columns, items.count)), rows = max(1, (items.count + cols - 1) / cols)
    var image = PixelImage(width: cols * cellWidth, height: rows * cellHeight, format: .rgb, fill: 255)
    for (n, item) in items.enumerated() {
        let x0 = (n % cols) * cellWidth, y0 = (n / cols) * cellHeight
        let left = x0 + (cellWidth - side) / 2
        for y in 0..<side {
            for x in 0..<side {
                let v = item.pixels[(y / scale) * 28 + x / scale]
                // Dark ink on white paper reads better next to text than white on black.
                let g = UInt8(max(0, min(255, (1 - v) * 255 + 0.5)))
                image[left + x, y0 + 4 + y] = [g, g, g]
            }
        }
        for (k, line) in item.lines.enumerated() {
            let w = BitmapFont.width(of: line.text)
            let c = [line.color.red, line.color.green, line.color.blue]
            BitmapFont.render(line.text, x: x0 + (cellWidth - w) / 2, y: y0 + 4 + side + 3 + k * lineHeight) { px, py in
                if px >= 0, px < image.width, py >= 0, py < image.height { image[px, py] = c }
            }
        }
    }
    return image
}
