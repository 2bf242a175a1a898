// Line plots of training curves (loss, accuracy) as PNG or SVG, drawn without any plotting
// library: axes, "nice" ticks, labels in the built-in bitmap font, coloured series, a legend.

import Foundation

/// An error raised while drawing a plot.
public enum LinePlotError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A series has a different number of x and y values.
    case lengthMismatch(series: String, x: Int, y: Int)
    /// The picture is too small for its labels (or the size is invalid).
    case tooSmall(width: Int, height: Int)
    /// An option is out of range (smoothing outside 0..<1, a non-positive line width or text scale).
    case invalidOption(String)
    /// The plot could not be written to a file.
    case io(path: String, reason: String)

    /// A readable explanation of the problem, naming the file or value involved.

    public var description: String {
        switch self {
        case .lengthMismatch(let series, let x, let y):
            return "line plot: series \"\(series)\" has \(x) x values but \(y) y values"
        case .tooSmall(let width, let height):
            return "line plot: \(width)x\(height) pixels is too small for the axes and labels"
        case .invalidOption(let what):
            return "line plot: \(what)"
        case .io(let path, let reason):
            return "line plot: cannot write \(path): \(reason)"
        }
    }

    /// The same text as `description`, so `error.localizedDescription` reads well too.

    public var errorDescription: String? { description }
}

/// A line plot of one or more series, for loss and accuracy curves, rendered to PNG (with its
/// own rasterizer and bitmap font, viewable anywhere) or to SVG.
///
/// ```swift
/// var plot = LinePlot(title: "GAN losses", xLabel: "step", yLabel: "loss")
/// plot.add("generator", steps: steps, values: gLosses)
/// plot.add("discriminator", steps: steps, values: dLosses)
/// plot.smoothing = 0.6                     // TensorBoard-style moving average
/// try plot.writePNG(to: URL(fileURLWithPath: "losses.png"))
/// ```
///
/// Non-finite values (NaN, infinity) break the line instead of spoiling the axes; on a
/// logarithmic y axis, values at or below zero do the same.
public struct LinePlot: Sendable {
    /// One named curve.
    public struct Series: Sendable, Equatable {
        /// The legend entry.
        public var name: String
        /// Horizontal coordinates (steps, epochs).
        public var x: [Double]
        /// Vertical coordinates, as many as `x`.
        public var y: [Double]
        /// The line colour; `nil` takes the next colour of ``RGBColor/palette``.
        public var color: RGBColor?

        /// Creates a series.
        public init(name: String, x: [Double], y: [Double], color: RGBColor? = nil) {
            self.name = name
            self.x = x
            self.y = y
            self.color = color
        }
    }

    /// How values map onto the vertical axis.
    public enum Scale: Sendable, Equatable {
        /// Evenly spaced values.
        case linear
        /// Evenly spaced powers of ten (for losses spanning several orders of magnitude).
        case log
    }

    /// Where the legend goes inside the plot area.
    public enum LegendPosition: Sendable, Equatable {
        /// Upper right corner (the default; loss curves usually fall away from it).
        case topRight
        /// Upper left corner.
        case topLeft
        /// Lower right corner (good for accuracy curves).
        case bottomRight
        /// Lower left corner.
        case bottomLeft
        /// No legend.
        case hidden
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
    /// Linear or logarithmic vertical axis.
    public var yScale: Scale = .linear
    /// Fixed horizontal range; `nil` fits the data.
    public var xLimits: ClosedRange<Double>?
    /// Fixed vertical range; `nil` fits the data (with a 5% margin). Lines are clipped to it.
    public var yLimits: ClosedRange<Double>?
    /// TensorBoard's smoothing weight in `0..<1`: 0 draws the raw values; above 0 the
    /// debiased exponential moving average is drawn on top of a faint raw line.
    public var smoothing: Double = 0
    /// Line thickness in pixels.
    public var lineWidth: Double = 2
    /// Size of the bitmap font: each font pixel becomes `textScale` x `textScale` pixels.
    public var textScale: Int = 2
    /// Where the legend goes.
    public var legend: LegendPosition = .topRight
    /// The curves, drawn in order.
    public var series: [Series] = []
    /// The number of x ticks aimed at on a narrow plot (ScatterPlot asks for more).
    var minimumXTicks = 3

    /// Creates an empty plot.
    public init(title: String = "", xLabel: String = "step", yLabel: String = "", width: Int = 800, height: Int = 500) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
    }

    /// Adds a series with explicit coordinates.
    public mutating func add(_ name: String, x: [Double], y: [Double], color: RGBColor? = nil) {
        series.append(Series(name: name, x: x, y: y, color: color))
    }

    /// Adds a series drawn at x = 0, 1, 2, ...
    public mutating func add<Value: BinaryFloatingPoint>(_ name: String, values: [Value], color: RGBColor? = nil) {
        add(name, x: values.indices.map { Double($0) }, y: values.map { Double($0) }, color: color)
    }

    /// Adds a series of values logged at the given steps.
    public mutating func add<Value: BinaryFloatingPoint>(_ name: String, steps: [Int], values: [Value],
                                                         color: RGBColor? = nil) {
        add(name, x: steps.map { Double($0) }, y: values.map { Double($0) }, color: color)
    }

    // MARK: - Output

    /// Draws the plot into an RGB image.
    /// - Throws: ``LinePlotError`` for mismatched series or an invalid size or option.
    public func render() throws -> PixelImage {
        let layout = try makeLayout()
        let s = textScale
        var canvas = PlotCanvas(width: width, height: height, background: .white)
        let (left, top, right, bottom) = (layout.left, layout.top, layout.right, layout.bottom)
        let ink = RGBColor(hex: 0x222222)
        drawAxes(layout, on: &canvas)

        // Lines may overhang the frame sideways by their own width, so points on the first and
        // last step are not cut in half; vertically the frame clips (fixed `yLimits`).
        let overhang = Int(lineWidth.rounded(.up)) + 1
        canvas.clip = (max(left - overhang, 0), top, min(right + overhang, width), bottom)
        for line in layout.lines {
            for segment in line.segments {
                // A lone point (neighbours missing) is drawn as a slightly larger dot.
                let thickness = segment.count == 1 ? 2 * lineWidth + 2 : lineWidth
                canvas.polyline(segment, line.color, thickness: thickness, alpha: line.alpha)
            }
        }
        canvas.resetClip()

        if let box = layout.legend {
            canvas.fillRect(x: box.x, y: box.y, width: box.width, height: box.height, .white, alpha: 0.85)
            canvas.strokeRect(x: box.x, y: box.y, width: box.width, height: box.height, RGBColor(hex: 0xBBBBBB))
            for (i, entry) in box.entries.enumerated() {
                let rowY = box.y + 6 + i * (8 * s + 6)
                let midY = Double(rowY) + Double(7 * s) / 2
                canvas.line(Double(box.x + 8), midY, Double(box.x + 32), midY, entry.color, thickness: lineWidth + 1)
                canvas.text(entry.name, x: box.x + 40, y: rowY, ink, scale: s)
            }
        }
        drawTitles(layout, on: &canvas)
        return try PixelImage(width: width, height: height, format: .rgb, pixels: canvas.pixels)
    }

    /// Grid lines, ticks with their labels, and the frame around the plot area (shared with
    /// ScatterPlot).
    func drawAxes(_ layout: Layout, on canvas: inout PlotCanvas) {
        let s = textScale
        let (left, top, right, bottom) = (layout.left, layout.top, layout.right, layout.bottom)
        let grid = RGBColor(hex: 0xE6E6E6), axis = RGBColor(hex: 0x333333), ink = RGBColor(hex: 0x222222)
        for tick in layout.yTicks {
            let y = Int(layout.py(tick.position).rounded(.down))
            canvas.fillRect(x: left, y: y, width: right - left, height: 1, grid)
            canvas.fillRect(x: left - 5, y: y, width: 5, height: 1, axis)
            let w = BitmapFont.width(of: tick.label, scale: s)
            canvas.text(tick.label, x: left - 8 - w, y: y - (7 * s) / 2, ink, scale: s)
        }
        for tick in layout.xTicks {
            let x = Int(layout.px(tick.position).rounded(.down))
            canvas.fillRect(x: x, y: top, width: 1, height: bottom - top, grid)
            canvas.fillRect(x: x, y: bottom, width: 1, height: 5, axis)
            let w = BitmapFont.width(of: tick.label, scale: s)
            canvas.text(tick.label, x: x - w / 2, y: bottom + 8, ink, scale: s)
        }
        canvas.strokeRect(x: left - 1, y: top - 1, width: right - left + 2, height: bottom - top + 2, axis)
    }

    /// The title and the axis labels (shared with ScatterPlot).
    func drawTitles(_ layout: Layout, on canvas: inout PlotCanvas) {
        let s = textScale
        let (left, top, right, bottom) = (layout.left, layout.top, layout.right, layout.bottom)
        let ink = RGBColor(hex: 0x222222)
        if !title.isEmpty {
            let w = BitmapFont.width(of: title, scale: s)
            canvas.text(title, x: (left + right) / 2 - w / 2, y: 10, ink, scale: s)
        }
        if !xLabel.isEmpty {
            let w = BitmapFont.width(of: xLabel, scale: s)
            canvas.text(xLabel, x: (left + right) / 2 - w / 2, y: height - 8 - 8 * s, ink, scale: s)
        }
        if !yLabel.isEmpty {
            let w = BitmapFont.width(of: yLabel, scale: s)
            canvas.text(yLabel, x: 10, y: (top + bottom) / 2 + w / 2, ink, scale: s, vertical: true)
        }
    }

    /// The plot as PNG data.
    public func pngData() throws -> Data {
        try PNG.encode(render())
    }

    /// Writes the plot as a PNG file (atomically).
    public func writePNG(to url: URL) throws {
        try PNG.write(render(), to: url)
    }

    /// The plot as an SVG document with the same layout as the PNG.
    public func svg() throws -> String {
        let layout = try makeLayout()
        let s = Double(textScale)
        let fontSize = 9 * s
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func text(_ t: String, _ x: Double, _ y: Double, anchor: String = "start", extra: String = "") -> String {
            "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\"\(extra)>\(Self.escapeXML(t))</text>\n"
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        out += "viewBox=\"0 0 \(width) \(height)\" font-family=\"monospace\" font-size=\"\(f(fontSize))\" fill=\"#222222\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        let (left, top, right, bottom) = (Double(layout.left), Double(layout.top), Double(layout.right), Double(layout.bottom))
        out += "<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n"
        for tick in layout.yTicks {
            let y = layout.py(tick.position)
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\"/>\n"
        }
        for tick in layout.xTicks {
            let x = layout.px(tick.position)
            out += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(bottom))\"/>\n"
        }
        out += "</g>\n"
        out += "<rect x=\"\(f(left - 0.5))\" y=\"\(f(top - 0.5))\" width=\"\(f(right - left + 1))\" height=\"\(f(bottom - top + 1))\" fill=\"none\" stroke=\"#333333\"/>\n"
        for tick in layout.yTicks {
            out += text(tick.label, left - 8, layout.py(tick.position) + fontSize * 0.35, anchor: "end")
        }
        for tick in layout.xTicks {
            out += text(tick.label, layout.px(tick.position), bottom + 8 + fontSize * 0.8, anchor: "middle")
        }
        out += "<defs><clipPath id=\"plot-area\"><rect x=\"\(f(left - lineWidth - 1))\" y=\"\(f(top))\" width=\"\(f(right - left + 2 * lineWidth + 2))\" height=\"\(f(bottom - top))\"/></clipPath></defs>\n"
        out += "<g clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"\(f(lineWidth))\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n"
        for line in layout.lines {
            for segment in line.segments {
                let points = segment.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " ")
                let opacity = line.alpha < 1 ? " stroke-opacity=\"\(f(line.alpha))\"" : ""
                if segment.count == 1 {
                    out += "<circle cx=\"\(f(segment[0].x))\" cy=\"\(f(segment[0].y))\" r=\"\(f(lineWidth + 1))\" fill=\"\(line.color.hexString)\" stroke=\"none\"/>\n"
                } else {
                    out += "<polyline points=\"\(points)\" stroke=\"\(line.color.hexString)\"\(opacity)/>\n"
                }
            }
        }
        out += "</g>\n"
        if let box = layout.legend {
            out += "<rect x=\"\(box.x)\" y=\"\(box.y)\" width=\"\(box.width)\" height=\"\(box.height)\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#bbbbbb\"/>\n"
            for (i, entry) in box.entries.enumerated() {
                let rowY = Double(box.y + 6 + i * (8 * textScale + 6))
                let midY = rowY + 3.5 * s
                out += "<line x1=\"\(box.x + 8)\" y1=\"\(f(midY))\" x2=\"\(box.x + 32)\" y2=\"\(f(midY))\" stroke=\"\(entry.color.hexString)\" stroke-width=\"\(f(lineWidth + 1))\"/>\n"
                out += text(entry.name, Double(box.x + 40), midY + fontSize * 0.35)
            }
        }
        if !title.isEmpty { out += text(title, (left + right) / 2, 10 + fontSize * 0.8, anchor: "middle") }
        if !xLabel.isEmpty { out += text(xLabel, (left + right) / 2, Double(height) - 8 - fontSize * 0.2, anchor: "middle") }
        if !yLabel.isEmpty {
            let x = 10 + fontSize * 0.8, y = (top + bottom) / 2
            out += text(yLabel, x, y, anchor: "middle", extra: " transform=\"rotate(-90 \(f(x)) \(f(y)))\"")
        }
        out += "</svg>\n"
        return out
    }

    /// Writes the plot as an SVG file (atomically).
    public func writeSVG(to url: URL) throws {
        let document = try svg()
        do {
            try Data(document.utf8).write(to: url, options: .atomic)
        } catch {
            throw LinePlotError.io(path: url.path, reason: error.localizedDescription)
        }
    }

    // MARK: - Layout

    struct Tick {
        var position: Double   // in axis units (log10 of the value on a log axis)
        var label: String
    }

    struct Line {
        var color: RGBColor
        var alpha: Double
        var segments: [[(x: Double, y: Double)]]
    }

    struct Legend {
        var x: Int, y: Int, width: Int, height: Int
        var entries: [(name: String, color: RGBColor)]
    }

    struct Layout {
        var left: Int, top: Int, right: Int, bottom: Int
        var xRange: (Double, Double)
        var yRange: (Double, Double)
        var xTicks: [Tick]
        var yTicks: [Tick]
        var lines: [Line] = []
        var legend: Legend?

        func px(_ x: Double) -> Double {
            Double(left) + (x - xRange.0) / (xRange.1 - xRange.0) * Double(right - left)
        }

        func py(_ y: Double) -> Double {
            Double(bottom) - (y - yRange.0) / (yRange.1 - yRange.0) * Double(bottom - top)
        }
    }

    func makeLayout() throws -> Layout {
        guard width >= 1, height >= 1, width <= 16384, height <= 16384 else {
            throw LinePlotError.tooSmall(width: width, height: height)
        }
        guard (0..<1).contains(smoothing) else {
            throw LinePlotError.invalidOption("smoothing must be in 0..<1, got \(smoothing)")
        }
        guard lineWidth > 0, lineWidth <= 50 else { throw LinePlotError.invalidOption("line width \(lineWidth)") }
        guard (1...8).contains(textScale) else { throw LinePlotError.invalidOption("text scale \(textScale) (use 1...8)") }
        for s in series where s.x.count != s.y.count {
            throw LinePlotError.lengthMismatch(series: s.name, x: s.x.count, y: s.y.count)
        }
        let isLog = yScale == .log
        func usable(_ x: Double, _ y: Double) -> Bool { x.isFinite && y.isFinite && (!isLog || y > 0) }

        // Data ranges.
        var xs: (Double, Double) = (.infinity, -.infinity), ys: (Double, Double) = (.infinity, -.infinity)
        for s in series {
            for (x, y) in zip(s.x, s.y) where usable(x, y) {
                let v = isLog ? log10(y) : y
                xs = (min(xs.0, x), max(xs.1, x))
                ys = (min(ys.0, v), max(ys.1, v))
            }
        }
        var xRange: (Double, Double)
        if let xLimits, xLimits.lowerBound < xLimits.upperBound {
            xRange = (xLimits.lowerBound, xLimits.upperBound)
        } else if xs.0 <= xs.1 {
            xRange = xs.0 < xs.1 ? xs : (xs.0 - 1, xs.1 + 1)
        } else {
            xRange = (0, 1)
        }
        var yRange: (Double, Double)
        if let yLimits, yLimits.lowerBound < yLimits.upperBound, !isLog || yLimits.lowerBound > 0 {
            yRange = isLog ? (log10(yLimits.lowerBound), log10(yLimits.upperBound)) : (yLimits.lowerBound, yLimits.upperBound)
        } else if ys.0 < ys.1 {
            let margin = (ys.1 - ys.0) * 0.05
            yRange = (ys.0 - margin, ys.1 + margin)
        } else if ys.0 == ys.1 {
            let delta = isLog ? 0.5 : (ys.0 == 0 ? 1 : abs(ys.0) * 0.1)
            yRange = (ys.0 - delta, ys.1 + delta)
        } else {
            yRange = isLog ? (0, 1) : (0, 1)
        }
        if !(xRange.1 - xRange.0).isFinite || xRange.1 - xRange.0 <= 0 { xRange = (0, 1) }
        if !(yRange.1 - yRange.0).isFinite || yRange.1 - yRange.0 <= 0 { yRange = (0, 1) }

        let s = textScale
        let yTicks = isLog ? Self.logTicks(yRange, target: max(3, min(10, height / 70)))
                           : Self.linearTicks(yRange, target: max(3, min(10, height / 70)))
        let xTicks = Self.linearTicks(xRange, target: max(minimumXTicks, min(10, width / 130)))
        let yLabelWidth = yTicks.map { BitmapFont.width(of: $0.label, scale: s) }.max() ?? 0
        let lastXLabel = xTicks.last.map { BitmapFont.width(of: $0.label, scale: s) } ?? 0

        let top = 12 + (title.isEmpty ? 0 : 8 * s + 10)
        let left = 10 + (yLabel.isEmpty ? 0 : 8 * s + 8) + yLabelWidth + 8
        let bottom = height - (8 + 8 * s + 8 + (xLabel.isEmpty ? 0 : 8 * s + 8))
        let right = width - max(20, lastXLabel / 2 + 8)
        guard right - left >= 40, bottom - top >= 40 else { throw LinePlotError.tooSmall(width: width, height: height) }

        var layout = Layout(left: left, top: top, right: right, bottom: bottom, xRange: xRange, yRange: yRange,
                            xTicks: xTicks, yTicks: yTicks)

        // Lines in pixel coordinates.
        var legendEntries: [(name: String, color: RGBColor)] = []
        for (index, s) in series.enumerated() {
            let color = s.color ?? RGBColor.palette[index % RGBColor.palette.count]
            legendEntries.append((s.name, color))
            var raw: [[(x: Double, y: Double)]] = []
            var smooth: [[(x: Double, y: Double)]] = []
            var current: [(x: Double, y: Double)] = [], currentSmooth: [(x: Double, y: Double)] = []
            var ema = 0.0, count = 0.0
            for (x, y) in zip(s.x, s.y) {
                guard usable(x, y) else {
                    if !current.isEmpty { raw.append(current); smooth.append(currentSmooth) }
                    current = []
                    currentSmooth = []
                    continue
                }
                let v = isLog ? log10(y) : y
                current.append((layout.px(x), layout.py(v)))
                if smoothing > 0 {
                    ema = ema * smoothing + (1 - smoothing) * y
                    count += 1
                    let debiased = ema / (1 - pow(smoothing, count))
                    let sv = isLog ? log10(max(debiased, .leastNormalMagnitude)) : debiased
                    currentSmooth.append((layout.px(x), layout.py(sv)))
                }
            }
            if !current.isEmpty { raw.append(current); smooth.append(currentSmooth) }
            if smoothing > 0 {
                layout.lines.append(Line(color: color, alpha: 0.25, segments: raw))
                layout.lines.append(Line(color: color, alpha: 1, segments: smooth))
            } else {
                layout.lines.append(Line(color: color, alpha: 1, segments: raw))
            }
        }

        if legend != .hidden && !legendEntries.isEmpty {
            let nameWidth = legendEntries.map { BitmapFont.width(of: $0.name, scale: s) }.max() ?? 0
            let boxWidth = min(40 + nameWidth + 8, right - left - 16)
            let boxHeight = 6 + legendEntries.count * (8 * s + 6)
            let x: Int, y: Int
            switch legend {
            case .topLeft: (x, y) = (left + 8, top + 8)
            case .bottomLeft: (x, y) = (left + 8, bottom - 8 - boxHeight)
            case .bottomRight: (x, y) = (right - 8 - boxWidth, bottom - 8 - boxHeight)
            default: (x, y) = (right - 8 - boxWidth, top + 8)
            }
            layout.legend = Legend(x: x, y: y, width: boxWidth, height: boxHeight, entries: legendEntries)
        }
        return layout
    }

    /// Ticks at 1, 2 or 5 times a power of ten, about `target` of them, inside `range`.
    static func linearTicks(_ range: (Double, Double), target: Int) -> [Tick] {
        let span = range.1 - range.0
        let rough = span / Double(max(target, 1))
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        var step = magnitude * 10
        for m in [1.0, 2.0, 5.0, 10.0] where rough <= m * magnitude {
            step = m * magnitude
            break
        }
        var values: [Double] = []
        var k = (range.0 / step).rounded(.up)
        while k * step <= range.1 + step * 1e-9 && values.count < 50 {
            let v = k * step
            values.append(abs(v) < step * 1e-9 ? 0 : v)
            k += 1
        }
        let labels = formatTicks(values, step: step)
        return zip(values, labels).map { Tick(position: $0, label: $1) }
    }

    /// Ticks for a log10 axis (`range` is in log10 units): powers of ten, or 1-2-5 steps when the
    /// range spans less than two decades.
    static func logTicks(_ range: (Double, Double), target: Int) -> [Tick] {
        let lowDecade = Int(range.0.rounded(.up)), highDecade = Int(range.1.rounded(.down))
        var values: [Double] = []
        if highDecade - lowDecade >= 1 {
            let every = max(1, (highDecade - lowDecade + 1 + target - 1) / target)
            for k in stride(from: lowDecade, through: highDecade, by: every) { values.append(pow(10, Double(k))) }
        } else {
            for k in Int(range.0.rounded(.down))...Int(range.1.rounded(.up)) {
                for m in [1.0, 2.0, 5.0] {
                    let v = m * pow(10, Double(k))
                    if log10(v) >= range.0 - 1e-12 && log10(v) <= range.1 + 1e-12 { values.append(v) }
                }
            }
            if values.count < 2 {
                // Less than a 1-2-5 step wide: ordinary ticks on the values, placed logarithmically.
                let linear = linearTicks((pow(10, range.0), pow(10, range.1)), target: target)
                return linear.filter { $0.position > 0 }.map { Tick(position: log10($0.position), label: $0.label) }
            }
        }
        return values.map { Tick(position: log10($0), label: compactNumber($0)) }
    }

    /// Labels with the same number of decimals, as few as tell the ticks apart exactly.
    static func formatTicks(_ values: [Double], step: Double) -> [String] {
        let largest = values.map { abs($0) }.max() ?? 0
        if largest >= 1e6 || (largest > 0 && largest < 1e-3) {
            return values.map { compactNumber($0) }
        }
        let firstGuess = max(0, Int((-log10(step)).rounded(.up)))
        for decimals in firstGuess...(firstGuess + 4) {
            let labels = values.map { String(format: "%.\(decimals)f", $0) }
            let exact = zip(values, labels).allSatisfy { v, l in abs((Double(l) ?? .nan) - v) <= step * 1e-6 }
            if exact { return labels.map { $0 == "-0" || $0.hasPrefix("-0.") && Double($0) == 0 ? String($0.dropFirst()) : $0 } }
        }
        return values.map { compactNumber($0) }
    }

    /// A short label for one number: plain decimals between 0.001 and a million, otherwise
    /// `1.5e-5` style.
    static func compactNumber(_ value: Double) -> String {
        if value == 0 { return "0" }
        let a = abs(value)
        if a >= 1e-3 && a < 1e6 {
            var s = String(format: "%.6f", value)
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
            return s
        }
        let formatted = String(format: "%.3e", value)   // like 1.230e-05
        guard let e = formatted.firstIndex(of: "e") else { return formatted }
        var mantissa = String(formatted[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        let exponent = Int(formatted[formatted.index(after: e)...]) ?? 0
        return "\(mantissa)e\(exponent)"
    }

    static func escapeXML(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
