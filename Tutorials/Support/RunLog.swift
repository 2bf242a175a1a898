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
    ///
    /// With `resumingAt: step` (a run continued from a checkpoint of that step) an existing
    /// `losses.csv` in the folder is kept up to that step and appended to, so that the CSV and the
    /// loss curve cover the whole run; rows logged after the checkpoint by the interrupted run are
    /// dropped, because the resumed run logs those steps again.
    public init(directory: URL, total: Int, description: String, resumingAt resumeStep: Int? = nil) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("samples"), withIntermediateDirectories: true)
        let csvURL = directory.appendingPathComponent("losses.csv")
        if let resumeStep, let text = try? String(contentsOf: csvURL, encoding: .utf8) {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            let header = lines.isEmpty ? [] : [lines.removeFirst()]
            let kept = header + lines.filter { line in Int(line.prefix { $0 != "," }).map { $0 <= resumeStep } ?? false }
            try (kept.joined(separator: "\n") + "\n").write(to: csvURL, atomically: true, encoding: .utf8)
            for s in (try? CSVLogger.read(from: csvURL)) ?? [] {
                order.append(s.name)
                series[s.name] = Array(zip(s.steps, s.values))
            }
        }
        csv = try CSVLogger(url: csvURL, append: resumeStep != nil)
        tensorboard = try? TensorBoardWriter(logDir: directory.appendingPathComponent("tensorboard"))
        progress = ProgressBar(total: total, description: description, initial: resumeStep ?? 0)
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

    /// Prints `text` on a line of its own without garbling the progress bar (on a terminal the
    /// bar's line is cleared first and the bar is redrawn below at its next update).
    public func message(_ text: String) {
        if progress.style == .inPlace { print("\r\u{1B}[2K" + text) } else { print(text) }
        fflush(nil)
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

    /// Saves `objects` to the checkpoint file `url` (atomically, see `Checkpoint.save`) with the
    /// counter `step`; a failure prints a warning and training goes on, as a failed sample grid does.
    public func saveCheckpoint(to url: URL, objects: [String: Checkpointable], step: Int, metadata: [String: String]) {
        do {
            try Checkpoint.save(to: url, objects: objects, counters: ["step": step], metadata: metadata)
        } catch {
            FileHandle.standardError.write("warning: could not save the checkpoint: \(error)\n".data(using: .utf8)!)
        }
    }

    /// Prints where the run's loss curve, logs and `checkpoint` are, one line each, for the end
    /// of a tutorial.
    public func printFiles(checkpoint: URL) {
        print("loss curve:  \(directory.appendingPathComponent("loss_curve.png").path)")
        print("logs:        \(directory.appendingPathComponent("losses.csv").path), tensorboard --logdir \(directory.appendingPathComponent("tensorboard").path)")
        print("checkpoint:  \(checkpoint.path) (continue with --resume)")
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
