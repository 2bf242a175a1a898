// Scatter plots of 2-D points in coloured groups (autoencoder codes coloured by digit, embeddings
// coloured by class) as PNG, drawn with the same axes, ticks and bitmap font as LinePlot.

import Foundation

/// An error raised while drawing a scatter plot.
public enum ScatterPlotError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A group has a different number of x and y values.
    case lengthMismatch(group: String, x: Int, y: Int)
    /// The labels of ``ScatterPlot/add(x:y:labels:names:)`` do not fit the points or the names.
    case invalidLabels(String)
    /// The picture is too small for its labels (or the size is invalid).
    case tooSmall(width: Int, height: Int)
    /// An option is out of range (marker size, opacity, text scale).
    case invalidOption(String)

    /// A readable explanation of the problem.
    public var description: String {
        switch self {
        case .lengthMismatch(let group, let x, let y):
            return "scatter plot: group \"\(group)\" has \(x) x values but \(y) y values"
        case .invalidLabels(let what):
            return "scatter plot: \(what)"
        case .tooSmall(let width, let height):
            return "scatter plot: \(width)x\(height) pixels is too small for the axes and labels"
        case .invalidOption(let what):
            return "scatter plot: \(what)"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.
    public var errorDescription: String? { description }
}

/// A scatter plot of points in named, coloured groups, rendered to PNG with Ember's own
/// rasterizer and bitmap font (no plotting library).
///
/// ```swift
/// // 2-D codes of an autoencoder, one colour per digit:
/// var plot = ScatterPlot(title: "codes", xLabel: "z1", yLabel: "z2")
/// plot.add(x: codes.map { $0[0] }, y: codes.map { $0[1] }, labels: digits,
///          names: (0...9).map(String.init))
/// try plot.writePNG(to: URL(fileURLWithPath: "codes.png"))
/// ```
///
/// Points are anti-aliased dots, drawn group by group in turns (the first point of every group,
/// then the second of every group, ...) so that no group hides all the others. Non-finite
/// coordinates are skipped. Axes fit the data with a 5% margin unless `xLimits`/`yLimits` are set.
public struct ScatterPlot: Sendable {
    /// One named set of points sharing a colour.
    public struct Group: Sendable, Equatable {
        /// The legend entry.
        public var name: String
        /// Horizontal coordinates.
        public var x: [Double]
        /// Vertical coordinates, as many as `x`.
        public var y: [Double]
        /// The dot colour; `nil` takes the group's colour of ``RGBColor/palette``.
        public var color: RGBColor?

        /// Creates a group.
        public init(name: String, x: [Double], y: [Double], color: RGBColor? = nil) {
            self.name = name
            self.x = x
            self.y = y
            self.color = color
        }
    }

    /// Text above the plot ("" for none).
    public var title: String
    /// Label under the horizontal axis ("" for none).
    public var xLabel: String
    /// Label beside the vertical axis ("" for none).
    public var yLabel: String
    /// Picture width in pixels.
    public var width: Int
    /// Picture height in pixels.
    public var height: Int
    /// Fixed horizontal range; `nil` fits the data with a 5% margin.
    public var xLimits: ClosedRange<Double>?
    /// Fixed vertical range; `nil` fits the data with a 5% margin. Points outside are clipped.
    public var yLimits: ClosedRange<Double>?
    /// Dot diameter in pixels (0.5...50).
    public var markerSize: Double = 4
    /// Dot opacity in `0 < opacity <= 1`; below 1, dense regions look darker.
    public var opacity: Double = 0.7
    /// Size of the bitmap font: each font pixel becomes `textScale` x `textScale` pixels.
    public var textScale: Int = 2
    /// Where the legend goes.
    public enum LegendPosition: Sendable, Equatable {
        /// In a column right of the plot area, which narrows to make room (the default: points
        /// may fill every corner of the plot area).
        case right
        /// Upper right corner, inside the plot area.
        case topRight
        /// Upper left corner, inside the plot area.
        case topLeft
        /// Lower right corner, inside the plot area.
        case bottomRight
        /// Lower left corner, inside the plot area.
        case bottomLeft
        /// No legend.
        case hidden
    }

    /// Where the legend goes.
    public var legend: LegendPosition = .right
    /// The point groups, in legend order.
    public var groups: [Group] = []

    /// Creates an empty plot.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", width: Int = 600, height: Int = 600) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    /// Adds one group of points.
    public mutating func add(_ name: String, x: [Double], y: [Double], color: RGBColor? = nil) {
        groups.append(Group(name: name, x: x, y: y, color: color))
    }

    /// Adds labelled points: point `i` goes to group `names[labels[i]]`. Every name gets a group
    /// (and a legend entry and palette colour) even when no point carries its label, so the
    /// colours of classes stay the same from plot to plot.
    /// - Throws: ``ScatterPlotError/invalidLabels(_:)`` when the counts differ or a label is not
    ///   an index into `names`.
    public mutating func add<Value: BinaryFloatingPoint>(x: [Value], y: [Value], labels: [Int], names: [String]) throws {
        guard x.count == y.count, x.count == labels.count else {
            throw ScatterPlotError.invalidLabels("\(x.count) x values, \(y.count) y values and \(labels.count) labels")
        }
        if let bad = labels.first(where: { !names.indices.contains($0) }) {
            throw ScatterPlotError.invalidLabels("label \(bad) has no name (\(names.count) names)")
        }
        var xs = [[Double]](repeating: [], count: names.count), ys = xs
        for i in labels.indices {
            xs[labels[i]].append(Double(x[i]))
            ys[labels[i]].append(Double(y[i]))
        }
        for (k, name) in names.enumerated() { add(name, x: xs[k], y: ys[k]) }
    }

    // MARK: - Output

    /// Draws the plot into an RGB image.
    /// - Throws: ``ScatterPlotError`` for mismatched groups or an invalid size or option.
    public func render() throws -> PixelImage {
        for g in groups where g.x.count != g.y.count {
            throw ScatterPlotError.lengthMismatch(group: g.name, x: g.x.count, y: g.y.count)
        }
        guard markerSize >= 0.5, markerSize <= 50 else { throw ScatterPlotError.invalidOption("marker size \(markerSize) (use 0.5...50)") }
        guard opacity > 0, opacity <= 1 else { throw ScatterPlotError.invalidOption("opacity \(opacity) (use 0 < opacity <= 1)") }
        guard (1...8).contains(textScale) else { throw ScatterPlotError.invalidOption("text scale \(textScale) (use 1...8)") }

        // The axes, ticks and legend box are LinePlot's, laid out for the same data; a legend on
        // the right takes a column off the width first.
        let s = textScale
        let legendColumn = legend == .right && !groups.isEmpty
            ? 40 + (groups.map { BitmapFont.width(of: $0.name, scale: s) }.max() ?? 0) + 12 : 0
        var frame = LinePlot(title: title, xLabel: xLabel, yLabel: yLabel, width: width - legendColumn, height: height)
        frame.textScale = textScale
        frame.minimumXTicks = 5
        switch legend {
        case .topRight: frame.legend = .topRight
        case .topLeft: frame.legend = .topLeft
        case .bottomRight: frame.legend = .bottomRight
        case .bottomLeft: frame.legend = .bottomLeft
        case .right, .hidden: frame.legend = .hidden
        }
        frame.xLimits = xLimits ?? Self.paddedRange(groups.flatMap(\.x))
        frame.yLimits = yLimits ?? Self.paddedRange(groups.flatMap(\.y))
        for (k, g) in groups.enumerated() {
            frame.add(g.name, x: [], y: [], color: g.color ?? RGBColor.palette[k % RGBColor.palette.count])
        }
        let layout: LinePlot.Layout
        do { layout = try frame.makeLayout() } catch { throw ScatterPlotError.tooSmall(width: width, height: height) }
        let colors = frame.series.map { $0.color! }
        var legendBox = layout.legend
        if legendColumn > 0 {
            let entries = zip(groups, colors).map { (name: $0.name, color: $1) }
            let boxHeight = 6 + entries.count * (8 * s + 6)
            legendBox = LinePlot.Legend(x: frame.width, y: layout.top, width: legendColumn - 8,
                                        height: boxHeight, entries: entries)
        }

        var canvas = PlotCanvas(width: width, height: height, background: .white)
        frame.drawAxes(layout, on: &canvas)

        canvas.clip = (layout.left, layout.top, layout.right, layout.bottom)
        let longest = groups.map(\.x.count).max() ?? 0
        for i in 0..<longest {
            for (k, g) in groups.enumerated() where i < g.x.count {
                let x = g.x[i], y = g.y[i]
                guard x.isFinite, y.isFinite else { continue }
                let px = layout.px(x), py = layout.py(y)
                canvas.line(px, py, px, py, colors[k], thickness: markerSize, alpha: opacity)
            }
        }
        canvas.resetClip()

        if let box = legendBox {
            canvas.fillRect(x: box.x, y: box.y, width: box.width, height: box.height, .white, alpha: 0.85)
            canvas.strokeRect(x: box.x, y: box.y, width: box.width, height: box.height, RGBColor(hex: 0xBBBBBB))
            for (i, entry) in box.entries.enumerated() {
                let rowY = box.y + 6 + i * (8 * s + 6)
                let midY = Double(rowY) + Double(7 * s) / 2
                let dot = max(markerSize, Double(4 * s))
                canvas.line(Double(box.x + 20), midY, Double(box.x + 20), midY, entry.color, thickness: dot)
                canvas.text(entry.name, x: box.x + 40, y: rowY, RGBColor(hex: 0x222222), scale: s)
            }
        }
        frame.drawTitles(layout, on: &canvas)
        return try PixelImage(width: width, height: height, format: .rgb, pixels: canvas.pixels)
    }

    /// The plot as PNG data.
    public func pngData() throws -> Data {
        try PNG.encode(render())
    }

    /// Writes the plot as a PNG file (atomically).
    public func writePNG(to url: URL) throws {
        try PNG.write(render(), to: url)
    }

    /// The finite values' range widened by 5% on each side (1 on each side for a single value),
    /// or nil when there are none.
    static func paddedRange(_ values: [Double]) -> ClosedRange<Double>? {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return nil }
        let margin = hi > lo ? (hi - lo) * 0.05 : max(abs(lo) * 0.1, 1)
        return (lo - margin)...(hi + margin)
    }
}
