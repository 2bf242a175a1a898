import Foundation
import XCTest
@testable import Ember

final class ScatterPlotTests: XCTestCase {
    /// Pixels of each colour in `image`.
    private func colorCounts(_ image: PixelImage) -> [RGBColor: Int] {
        var counts: [RGBColor: Int] = [:]
        for i in 0..<(image.width * image.height) {
            counts[RGBColor(red: image.pixels[3 * i], green: image.pixels[3 * i + 1], blue: image.pixels[3 * i + 2]), default: 0] += 1
        }
        return counts
    }

    func testLabelledPointsAreDrawnInTheirGroupColours() throws {
        // Three clusters, one per label, with a fourth name that no point carries.
        var xs: [Float] = [], ys: [Float] = [], labels: [Int] = []
        for k in 0..<3 {
            for i in 0..<50 {
                xs.append(Float(k) * 4 + Float(i % 7) * 0.1)
                ys.append(Float(k) + Float(i / 7) * 0.1)
                labels.append(k)
            }
        }
        var plot = ScatterPlot(title: "codes", xLabel: "z1", yLabel: "z2", width: 500, height: 400)
        plot.opacity = 1
        plot.markerSize = 6
        try plot.add(x: xs, y: ys, labels: labels, names: ["zero", "one", "two", "three"])
        XCTAssertEqual(plot.groups.map(\.name), ["zero", "one", "two", "three"])
        XCTAssertEqual(plot.groups.map(\.x.count), [50, 50, 50, 0])

        let image = try plot.render()
        XCTAssertEqual(image.width, 500)
        XCTAssertEqual(image.height, 400)
        XCTAssertEqual(image.format, .rgb)
        XCTAssertEqual(image[0, 0], [255, 255, 255])
        let counts = colorCounts(image)
        for k in 0..<3 {
            XCTAssertGreaterThan(counts[RGBColor.palette[k], default: 0], 200, "group \(k) drawn in palette colour \(k)")
        }
        // The empty group still has its legend dot (right of the plot area).
        XCTAssertGreaterThan(counts[RGBColor.palette[3], default: 0], 10, "legend entry of the empty group")
        XCTAssertGreaterThan(counts[RGBColor(hex: 0x222222), default: 0], 300, "text drawn")
        XCTAssertEqual(try PNG.decode(plot.pngData()), image)

        // Without a legend column the plot area is wider: the same clusters cover the same
        // number of dots, but nothing is drawn in the empty group's colour.
        plot.legend = .hidden
        XCTAssertEqual(colorCounts(try plot.render())[RGBColor.palette[3], default: 0], 0)
        plot.legend = .topLeft
        XCTAssertGreaterThan(colorCounts(try plot.render())[RGBColor.palette[3], default: 0], 10)
    }

    func testAxesFitTheDataWithAMargin() throws {
        XCTAssertEqual(ScatterPlot.paddedRange([0, 10]), -0.5...10.5)
        XCTAssertEqual(ScatterPlot.paddedRange([3, .nan, .infinity]), 2...4)
        XCTAssertNil(ScatterPlot.paddedRange([.nan]))
        // Explicit limits clip points outside them; non-finite points are skipped.
        var plot = ScatterPlot(width: 300, height: 300)
        plot.add("far", x: [100, .nan], y: [100, 1], color: RGBColor(hex: 0xFF0000))
        plot.xLimits = 0...1
        plot.yLimits = 0...1
        plot.opacity = 1
        XCTAssertEqual(colorCounts(try plot.render())[RGBColor(hex: 0xFF0000), default: 0] < 60, true,
                       "only the legend dot is red")
        // An empty plot still draws its axes.
        XCTAssertNoThrow(try ScatterPlot().render())
    }

    func testErrors() {
        var plot = ScatterPlot()
        XCTAssertThrowsError(try plot.add(x: [1.0, 2], y: [1.0], labels: [0, 0], names: ["a"])) {
            XCTAssertEqual($0 as? ScatterPlotError, .invalidLabels("2 x values, 1 y values and 2 labels"))
        }
        XCTAssertThrowsError(try plot.add(x: [1.0], y: [1.0], labels: [3], names: ["a"])) {
            XCTAssertEqual($0 as? ScatterPlotError, .invalidLabels("label 3 has no name (1 names)"))
        }
        plot.add("oops", x: [1, 2, 3], y: [1, 2])
        XCTAssertThrowsError(try plot.render()) {
            XCTAssertEqual($0 as? ScatterPlotError, .lengthMismatch(group: "oops", x: 3, y: 2))
        }
        XCTAssertThrowsError(try ScatterPlot(width: 50, height: 40).render()) {
            XCTAssertEqual($0 as? ScatterPlotError, .tooSmall(width: 50, height: 40))
        }
        var faint = ScatterPlot()
        faint.opacity = 0
        XCTAssertThrowsError(try faint.render())
        XCTAssertTrue(ScatterPlotError.tooSmall(width: 1, height: 2).description.contains("1x2"))
    }
}
