import Ember
import Foundation

/// Everything a tutorial run leaves behind: a progress bar with the latest losses, a CSV and a
/// TensorBoard log of every scalar, sample grids as PNG (also in TensorBoard), a loss-curve PNG,
/// and checkpoints.
public final class RunLog {
    /// The run's output folder.
    public let directory: URL
    let progress: ProgressBar
    let csv: CSVLogger
    let tensorboard: TensorBoardWriter?
    var series: [String: [(Int, Double)]] = [:]
    var order: [String] = []

    /// Creates the folder and the logs; `total` is the number of steps for the progress bar.
    public init(directory: URL, total: Int, description: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("samples"), withIntermediateDirectories: true)
        csv = try CSVLogger(url: directory.appendingPathComponent("losses.csv"))
        tensorboard = try? TensorBoardWriter(logDir: directory.appendingPathComponent("tensorboard"))
        progress = ProgressBar(total: total, description: description)
    }

    /// Records scalars for `step` and redraws the progress bar.
    public func log(step: Int, _ values: [(String, Double)]) {
        for (name, v) in values {
            if series[name] == nil { order.append(name) }
            series[name, default: []].append((step, v))
            try? csv.log(step: step, name: name, value: v)
            try? tensorboard?.addScalar(tag: name, value: v, step: step)
        }
        progress.update(step: step, values: values.map { ($0.0, $0.1) })
    }

    /// Writes `images` ([B, C, H, W] in [-1, 1] unless `range` says otherwise) as
    /// `samples/<name>.png` and as a TensorBoard image. Returns the file.
    @discardableResult
    public func saveSamples(_ images: Tensor, name: String, step: Int, nrow: Int = 8, range: ClosedRange<Float> = -1...1) -> URL {
        let url = directory.appendingPathComponent("samples/\(name).png")
        do {
            try saveImageGrid(images, to: url, nrow: nrow, range: range)
            try tensorboard?.addImages(tag: "samples", images, step: step, nrow: nrow, range: range)
        } catch {
            FileHandle.standardError.write("warning: could not write \(url.path): \(error)\n".data(using: .utf8)!)
        }
        return url
    }

    /// Finishes the progress bar, writes `loss_curve.png` and flushes the logs.
    public func finish(title: String = "losses") {
        progress.finish()
        var plot = LinePlot()
        plot.title = title
        plot.xLabel = "step"
        for name in order { plot.add(name, x: series[name]!.map { Double($0.0) }, y: series[name]!.map(\.1)) }
        do { try plot.writePNG(to: directory.appendingPathComponent("loss_curve.png")) } catch {
            FileHandle.standardError.write("warning: could not write the loss curve: \(error)\n".data(using: .utf8)!)
        }
        try? csv.close()
        try? tensorboard?.close()
    }
}
