import Foundation
import XCTest
@testable import Ember

/// Writes a file for a human to look at when EMBER_TEST_OUTPUT names a folder.
func saveForInspection(_ name: String, _ data: Data) {
    guard let folder = ProcessInfo.processInfo.environment["EMBER_TEST_OUTPUT"] else { return }
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try? data.write(to: URL(fileURLWithPath: folder).appendingPathComponent(name))
}

final class PNGTests: XCTestCase {
    static func randomImage(_ format: PixelImage.Format, width: Int, height: Int, seed: UInt64) -> PixelImage {
        var state = seed
        var pixels = [UInt8](repeating: 0, count: width * height * format.channels)
        for i in pixels.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            // Mix smooth gradients and noise so every filter type has something to do.
            pixels[i] = i % 5 == 0 ? UInt8(truncatingIfNeeded: state >> 56) : UInt8(truncatingIfNeeded: i / 7)
        }
        return try! PixelImage(width: width, height: height, format: format, pixels: pixels)
    }

    func testRoundTripAllFormatsAndFilters() throws {
        for format in PixelImage.Format.allCases {
            for (w, h) in [(1, 1), (7, 3), (33, 17)] {
                let image = Self.randomImage(format, width: w, height: h, seed: UInt64(w * 31 + h))
                var strategies: [PNG.FilterStrategy] = [.adaptive]
                strategies += (0...4).map { PNG.FilterStrategy.fixed(UInt8($0)) }
                for strategy in strategies {
                    for level in [0, 6] {
                        let data = try PNG.encode(image, level: level, filter: strategy)
                        XCTAssertEqual(Array(data.prefix(8)), PNG.signature)
                        XCTAssertEqual(try PNG.decode(data), image, "\(format) \(w)x\(h) \(strategy) level \(level)")
                    }
                }
            }
        }
    }

    func testHeaderAndChunkBytes() throws {
        let image = try PixelImage(width: 3, height: 2, format: .rgb, pixels: [UInt8](repeating: 200, count: 18))
        let data = [UInt8](try PNG.encode(image))
        // IHDR: length 13, "IHDR", width 3, height 2, depth 8, colour type 2, 0, 0, 0, CRC (from Python's zlib.crc32).
        XCTAssertEqual(Array(data[8..<33]), [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0,
                                             0x12, 0x16, 0xF1, 0x4D])
        // Every file ends with the same IEND chunk.
        XCTAssertEqual(Array(data.suffix(12)), [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        let grey = [UInt8](try PNG.encode(PixelImage(width: 1, height: 1, format: .grey)))
        XCTAssertEqual(grey[25], 0)   // colour type 0
        let rgba = [UInt8](try PNG.encode(PixelImage(width: 1, height: 1, format: .rgba)))
        XCTAssertEqual(rgba[25], 6)
    }

    func testDecodesFilesWrittenByPillow() throws {
        // Written by Pillow: a palette image with tRNS, 1-bit grey, 16-bit grey, optimized RGB.
        let palette = try PNG.decode(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADAgMAAADJmkZVAAAADFBMVEX/AAAA/wAAAP8KFB4iiCkEAAAABHRSTlP/gAD/oaGUZgAAAA5JREFUeJxjkGZ4whAFAAOTAVq5RaMJAAAAAElFTkSuQmCC")!)
        XCTAssertEqual(palette.format, .rgba)
        XCTAssertEqual(palette.width, 4)
        XCTAssertEqual(palette.height, 3)
        let colours: [[UInt8]] = [[255, 0, 0, 255], [0, 255, 0, 128], [0, 0, 255, 0], [10, 20, 30, 255]]
        let indices = [0, 1, 2, 3, 3, 2, 1, 0, 1, 1, 2, 2]
        for (i, index) in indices.enumerated() {
            XCTAssertEqual(palette[i % 4, i / 4], colours[index], "pixel \(i)")
        }

        let bits = try PNG.decode(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAoAAAACAQAAAABJGnB9AAAADklEQVR4nGNYzcAoowIAA7wA7WGstwAAAAAASUVORK5CYII=")!)
        XCTAssertEqual(bits.format, .grey)
        XCTAssertEqual(bits.pixels, [1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1].map { $0 == 1 ? 255 : 0 })

        let sixteen = try PNG.decode(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAMAAAABEAAAAABuG5crAAAAD0lEQVR4nGNgYBAy+f8fAAPoAkXVj0hIAAAAAElFTkSuQmCC")!)
        XCTAssertEqual(sixteen.pixels, [0, 0x12, 0xFF])

        let rgb = try PNG.decode(Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAUAAAAECAIAAADJUWIXAAAAIUlEQVR42mNkYGAwQkIsDDYMDAy8cATnS0EQMl+dgUEdAFN3Ao5oyrwmAAAAAElFTkSuQmCC")!)
        XCTAssertEqual(rgb.format, .rgb)
        for y in 0..<4 {
            for x in 0..<5 {
                XCTAssertEqual(rgb[x, y], [UInt8(x * 50), UInt8(y * 60), UInt8((x * y * 13) % 256)])
            }
        }
    }

    func testBadFilesThrow() throws {
        let image = Self.randomImage(.rgb, width: 20, height: 10, seed: 5)
        let good = try PNG.encode(image)
        XCTAssertThrowsError(try PNG.decode(Data("GIF89a....".utf8))) { error in
            guard case PNGError.notPNG = error else { return XCTFail("got \(error)") }
        }
        XCTAssertThrowsError(try PNG.decode(Data()))
        // Cut anywhere: always an error, never a crash.
        for keep in stride(from: 0, to: good.count, by: 3) {
            XCTAssertThrowsError(try PNG.decode(good.prefix(keep)), "kept \(keep)")
        }
        // A flipped byte inside IDAT is caught by the chunk CRC.
        var flipped = good
        flipped[50] ^= 0x40
        XCTAssertThrowsError(try PNG.decode(flipped)) { error in
            guard case PNGError.crcMismatch(let chunk, _, _) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(chunk, "IDAT")
        }
        // Interlaced (with a valid CRC): unsupported, said so.
        var interlaced = [UInt8](good)
        interlaced[28] = 1
        let crc = CRC32.checksum(Array(interlaced[12..<29]))
        interlaced[29...32] = [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
        XCTAssertThrowsError(try PNG.decode(Data(interlaced))) { error in
            XCTAssertEqual(error as? PNGError, .unsupported("interlaced (Adam7) images"))
        }
        XCTAssertThrowsError(try PNG.encode(image, filter: .fixed(5)))
        // Random corruption never crashes.
        var state: UInt64 = 12345
        for _ in 0..<300 {
            var bytes = [UInt8](good)
            for _ in 0..<3 {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                let index = Int(state >> 33) % bytes.count
                bytes[index] = UInt8(truncatingIfNeeded: state >> 20)
            }
            _ = try? PNG.decode(Data(bytes))
        }
    }

    func testFileErrorsNameThePath() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.png")
        XCTAssertThrowsError(try PNG.read(from: missing)) { error in
            XCTAssertEqual(error as? PNGError, .io(path: missing.path, reason: "no such file"))
        }
        let bad = dir.appendingPathComponent("bad.png")
        try Data("not a png".utf8).write(to: bad)
        XCTAssertThrowsError(try PNG.read(from: bad)) { error in
            XCTAssertTrue("\(error)".contains(bad.path))
            XCTAssertTrue("\(error)".contains("not a PNG"))
        }
        let good = dir.appendingPathComponent("good.png")
        let image = Self.randomImage(.rgba, width: 9, height: 4, seed: 1)
        try image.writePNG(to: good)
        XCTAssertEqual(try PixelImage(pngFile: good), image)
        XCTAssertThrowsError(try PixelImage(width: 2, height: 2, format: .rgb, pixels: [1, 2, 3])) {
            XCTAssertEqual($0 as? PixelImageError, .pixelCountMismatch(width: 2, height: 2, channels: 3, count: 3))
        }
        XCTAssertThrowsError(try PixelImage(width: 0, height: 2, format: .rgb, pixels: []))
    }
}

final class ImageGridTests: XCTestCase {
    func testLayoutMatchesMakeGrid() throws {
        // 3 grey 2x2 images, 2 per row, padding 1: 2 rows x 2 columns of 3x3 cells + 1 = 7x7.
        let values: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.0, 0.5]
        let grid = try ImageGrid.makeFloats(values: values, shape: [3, 1, 2, 2], nrow: 2, padding: 1, padValue: -1)
        XCTAssertEqual(grid.channels, 1)
        XCTAssertEqual(grid.height, 7)
        XCTAssertEqual(grid.width, 7)
        let p: Float = -1
        XCTAssertEqual(grid.values, [
            p, p, p, p, p, p, p,
            p, 0.1, 0.2, p, 0.5, 0.6, p,
            p, 0.3, 0.4, p, 0.7, 0.8, p,
            p, p, p, p, p, p, p,
            p, 0.9, 1.0, p, p, p, p,
            p, 0.0, 0.5, p, p, p, p,
            p, p, p, p, p, p, p,
        ])
        // The default: 8 per row, padding 2. 64 MNIST digits -> 8x8 grid of 30-pixel cells + 2.
        let big = try ImageGrid.make(values: [Float](repeating: 0.5, count: 64 * 784), shape: [64, 1, 28, 28])
        XCTAssertEqual(big.width, 242)
        XCTAssertEqual(big.height, 242)
        XCTAssertEqual(big.format, .grey)
        XCTAssertEqual(big[0, 0], [0])
        XCTAssertEqual(big[2, 2], [128])
        // 10 images, nrow 4: 3 rows of 4 columns.
        let ten = try ImageGrid.make(values: [Float](repeating: 1, count: 10 * 3 * 5 * 6), shape: [10, 3, 5, 6], nrow: 4)
        XCTAssertEqual(ten.format, .rgb)
        XCTAssertEqual(ten.width, 4 * 8 + 2)
        XCTAssertEqual(ten.height, 3 * 7 + 2)
        XCTAssertEqual(ten[2, 2], [255, 255, 255])
        XCTAssertEqual(ten[ten.width - 3, ten.height - 3], [0, 0, 0], "empty cell stays padding")
    }

    func testValueMappingLikeSaveImage() throws {
        let values: [Float] = [0, 0.5, 1, -0.2, 1.7, 0.998, 0.002, .nan]
        let image = try ImageGrid.make(values: values, shape: [1, 1, 2, 4])
        // A single image has no padding; bytes are clamp(v * 255 + 0.5, 0, 255) rounded down.
        XCTAssertEqual(image.width, 4)
        XCTAssertEqual(image.height, 2)
        XCTAssertEqual(image.pixels, [0, 128, 255, 0, 255, 254, 1, 0])

        let ranged = try ImageGrid.make(values: [-1, 0, 1, 3], shape: [1, 1, 1, 4], range: -1...1)
        XCTAssertEqual(ranged.pixels, [0, 128, 255, 255])

        let minMax = try ImageGrid.make(values: [2, 3, 4, 6], shape: [1, 1, 1, 4], normalize: true)
        XCTAssertEqual(minMax.pixels, [0, 64, 128, 255])

        // scaleEach: every image spans 0...255 on its own; padValue is not normalized.
        let each = try ImageGrid.make(values: [0, 1, 10, 30], shape: [2, 1, 1, 2], padding: 1, padValue: 1,
                                      normalize: true, scaleEach: true)
        XCTAssertEqual(each.width, 7)
        XCTAssertEqual(each.pixels, [255, 255, 255, 255, 255, 255, 255,
                                     255, 0, 255, 255, 0, 255, 255,
                                     255, 255, 255, 255, 255, 255, 255])
        let whole = try ImageGrid.make(values: [0, 1, 10, 30], shape: [2, 1, 1, 2], padding: 0, normalize: true)
        XCTAssertEqual(whole.pixels, [0, 9, 85, 255])
    }

    func testChannelsLayoutAndShapes() throws {
        // Two 1x1 RGB images: channel planes become interleaved pixels.
        let rgb = try ImageGrid.make(values: [1, 0, 0, 0, 0, 1], shape: [2, 3, 1, 1], padding: 0)
        XCTAssertEqual(rgb.pixels, [255, 0, 0, 0, 0, 255])
        let chw = try ImageGrid.make(values: [0, 0.5, 1], shape: [3, 1, 1])
        XCTAssertEqual(chw.pixels, [0, 128, 255])
        let hw = try ImageGrid.make(values: [0, 1], shape: [1, 2])
        XCTAssertEqual(hw.format, .grey)
        XCTAssertEqual(hw.pixels, [0, 255])
    }

    func testErrors() {
        XCTAssertThrowsError(try ImageGrid.make(values: [1, 2], shape: [1, 1, 1, 3])) {
            XCTAssertEqual($0 as? ImageGridError, .valueCountMismatch(shape: [1, 1, 1, 3], count: 2))
        }
        XCTAssertThrowsError(try ImageGrid.make(values: [1, 2], shape: [1, 2, 1, 1])) {
            XCTAssertEqual($0 as? ImageGridError, .unsupportedChannels(2))
        }
        XCTAssertThrowsError(try ImageGrid.make(values: [], shape: [0, 1, 1, 1])) {
            XCTAssertEqual($0 as? ImageGridError, .invalidShape([0, 1, 1, 1]))
        }
        XCTAssertThrowsError(try ImageGrid.make(values: [1], shape: [1])) {
            XCTAssertEqual($0 as? ImageGridError, .invalidShape([1]))
        }
        XCTAssertThrowsError(try ImageGrid.make(values: [1, 2], shape: [2, 1, 1, 1], nrow: 0)) {
            XCTAssertEqual($0 as? ImageGridError, .invalidLayout(nrow: 0, padding: 2))
        }
    }

    func testRealDigitsGrid() throws {
        let dir = URL(fileURLWithPath: TestPaths.datasets + "/mnist")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: dir.path), "datasets not available")
        let test = try MNISTRaw.load(directory: dir, split: .test)
        let values = test.images.prefix(32 * 784).map { Float($0) / 255 }
        let image = try ImageGrid.make(values: values, shape: [32, 1, 28, 28])
        XCTAssertEqual(image.width, 242)
        XCTAssertEqual(image.height, 4 * 30 + 2)
        // Pixel bytes survive the float round trip exactly: the first digit's pixels.
        for y in 0..<28 {
            for x in 0..<28 {
                XCTAssertEqual(image[2 + x, 2 + y][0], test.images[y * 28 + x])
            }
        }
        saveForInspection("mnist-grid.png", try image.pngData())
    }
}

final class LinePlotTests: XCTestCase {
    func testTicksAndLabels() {
        XCTAssertEqual(LinePlot.linearTicks((0, 1), target: 5).map(\.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(LinePlot.linearTicks((-0.05, 2.3), target: 5).map(\.label), ["0.0", "0.5", "1.0", "1.5", "2.0"])
        XCTAssertEqual(LinePlot.linearTicks((0, 10_000), target: 5).map(\.label), ["0", "2000", "4000", "6000", "8000", "10000"])
        XCTAssertEqual(LinePlot.linearTicks((0.1, 0.35), target: 5).map(\.label), ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"])
        XCTAssertEqual(LinePlot.linearTicks((-1, 1), target: 4).map(\.label), ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
        XCTAssertEqual(LinePlot.logTicks((-4.2, 0.3), target: 8).map(\.label), ["1e-4", "0.001", "0.01", "0.1", "1"])
        XCTAssertEqual(LinePlot.logTicks((log10(0.15), log10(0.9)), target: 8).map(\.label), ["0.2", "0.5"])
        XCTAssertEqual(LinePlot.compactNumber(1.5e-5), "1.5e-5")
        XCTAssertEqual(LinePlot.compactNumber(2_500_000), "2.5e6")
        XCTAssertEqual(LinePlot.compactNumber(0.25), "0.25")
    }

    func testRendersSeriesLegendAndLabels() throws {
        var plot = LinePlot(title: "Training loss", xLabel: "step", yLabel: "loss", width: 640, height: 400)
        let steps = Array(stride(from: 0, through: 2000, by: 10))
        plot.add("generator", steps: steps, values: steps.map { 2.0 * exp(-Double($0) / 500) + 0.3 })
        plot.add("discriminator", steps: steps, values: steps.map { Float(0.7 + 0.2 * sin(Double($0) / 100)) })
        let image = try plot.render()
        XCTAssertEqual(image.width, 640)
        XCTAssertEqual(image.height, 400)
        XCTAssertEqual(image.format, .rgb)
        XCTAssertEqual(image[0, 0], [255, 255, 255])
        var counts: [RGBColor: Int] = [:]
        for i in 0..<(640 * 400) {
            let c = RGBColor(red: image.pixels[3 * i], green: image.pixels[3 * i + 1], blue: image.pixels[3 * i + 2])
            counts[c, default: 0] += 1
        }
        XCTAssertGreaterThan(counts[RGBColor.palette[0], default: 0], 500, "first series drawn in blue")
        XCTAssertGreaterThan(counts[RGBColor.palette[1], default: 0], 500, "second series drawn in orange")
        XCTAssertGreaterThan(counts[RGBColor(hex: 0x222222), default: 0], 500, "text drawn")
        let png = try plot.pngData()
        XCTAssertEqual(try PNG.decode(png), image)
        saveForInspection("loss-plot.png", png)

        plot.yScale = .log
        plot.smoothing = 0.8
        plot.legend = .bottomLeft
        saveForInspection("loss-plot-log-smoothed.png", try plot.pngData())
        let svg = try plot.svg()
        XCTAssertTrue(svg.hasPrefix("<?xml"))
        XCTAssertTrue(svg.contains("<polyline"))
        XCTAssertTrue(svg.contains("generator"))
        XCTAssertTrue(svg.contains("#1f77b4"))
        saveForInspection("loss-plot.svg", Data(svg.utf8))
    }

    func testEdgeCasesNeverCrash() throws {
        var empty = LinePlot()
        XCTAssertEqual(try empty.render().width, 800)
        empty.add("nan & <inf>", values: [Double.nan, 1, .infinity, 2, 3, .nan, 4])
        empty.add("single", values: [5.0])
        empty.add("constant", x: [1, 2, 3], y: [0.5, 0.5, 0.5])
        XCTAssertNoThrow(try empty.render())
        XCTAssertTrue(try empty.svg().contains("nan &amp; &lt;inf&gt;"))
        empty.yScale = .log
        empty.add("negative", values: [-1.0, 0, 1e-3])
        XCTAssertNoThrow(try empty.render())
        empty.yLimits = 0.01...10
        XCTAssertNoThrow(try empty.render())
        saveForInspection("edge-cases-plot.png", try empty.pngData())

        var bad = LinePlot()
        bad.add("oops", x: [1, 2, 3], y: [1, 2])
        XCTAssertThrowsError(try bad.render()) {
            XCTAssertEqual($0 as? LinePlotError, .lengthMismatch(series: "oops", x: 3, y: 2))
        }
        XCTAssertThrowsError(try LinePlot(width: 50, height: 40).render()) {
            XCTAssertEqual($0 as? LinePlotError, .tooSmall(width: 50, height: 40))
        }
        var smoothing = LinePlot()
        smoothing.smoothing = 1
        XCTAssertThrowsError(try smoothing.render())
    }

    func testBitmapFont() {
        XCTAssertEqual(BitmapFont.glyphs.count, 95 * 5)
        XCTAssertEqual(BitmapFont.width(of: "abc"), 17)
        XCTAssertEqual(BitmapFont.width(of: "abc", scale: 2), 34)
        XCTAssertEqual(Array(BitmapFont.columns(of: "0")), [0x3E, 0x51, 0x49, 0x45, 0x3E])
        XCTAssertEqual(Array(BitmapFont.columns(of: "é")), Array(BitmapFont.columns(of: "?")))
        var lit = 0
        BitmapFont.render("I", x: 0, y: 0) { _, _ in lit += 1 }
        XCTAssertEqual(lit, 7 + 2 + 2)   // the stem plus the serifs
    }
}
