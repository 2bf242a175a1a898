// A terminal progress bar for training loops: step/total, rate, elapsed and remaining time,
// and the latest values of named metrics.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress bar for loops, in the spirit of tqdm and Keras.
///
/// ```swift
/// let bar = ProgressBar(total: batches.count, description: "epoch 1")
/// for (i, batch) in batches.enumerated() {
///     let loss = step(batch)
///     bar.update(step: i + 1, values: ["loss": loss])
/// }
/// bar.finish()
/// ```
/// On a terminal it redraws one line in place:
/// `epoch 1  45%|#############                 | 450/1000 [00:12<00:15, 36.20 it/s, loss=0.1234]`.
/// When standard output is not a terminal (a log file, CI), it prints a plain line at most every
/// ``lineInterval`` seconds and at the end, so logs stay readable.
public final class ProgressBar {
    /// How the bar is shown.
    public enum Style: Sendable, Equatable {
        /// In place on a terminal (`isatty(1)`), periodic lines otherwise.
        case automatic
        /// Redraw one line with a carriage return.
        case inPlace
        /// Print separate lines now and then.
        case lines
    }

    /// The number of steps in the loop, or `nil` when unknown (no bar or ETA is shown then).
    public let total: Int?
    /// Text in front of the bar.
    public var description: String
    /// Characters between the bar's `|` marks.
    public let barWidth: Int
    /// The style actually in use (``Style/automatic`` resolved).
    public let style: Style
    /// Least seconds between redraws in place.
    public var redrawInterval: TimeInterval = 0.1
    /// Least seconds between printed lines in ``Style/lines`` style.
    public var lineInterval: TimeInterval = 10

    /// Steps completed so far.
    public private(set) var step = 0
    /// The step the loop started from (tqdm's `initial`): a resumed run's bar starts there, and
    /// the rate and remaining time count only the steps done since.
    public let initial: Int
    private var values: [(String, Double)] = []
    private let output: (String) -> Void
    private let clock: () -> TimeInterval
    private let start: TimeInterval
    private var lastDraw: TimeInterval = -.infinity
    private var lastLength = 0
    private var finished = false

    /// Creates a progress bar. Nothing is printed until the first update.
    /// - Parameters:
    ///   - total: the number of steps, or `nil` when unknown.
    ///   - style: see ``Style``.
    ///   - output: receives the text to print (already with `\r` or `\n`); by default it goes to
    ///     standard output, flushed at once.
    ///   - initial: the step the loop starts from (a resumed run), 0 by default.
    public convenience init(total: Int?, description: String = "", barWidth: Int = 30, style: Style = .automatic,
                            initial: Int = 0, output: ((String) -> Void)? = nil) {
        self.init(total: total, description: description, barWidth: barWidth, style: style, initial: initial,
                  output: output, clock: { Date().timeIntervalSinceReferenceDate })
    }

    init(total: Int?, description: String, barWidth: Int, style: Style, initial: Int = 0, output: ((String) -> Void)?,
         clock: @escaping () -> TimeInterval) {
        self.total = total.map { max($0, 0) }
        self.initial = max(initial, 0)
        self.step = self.initial
        self.description = description
        self.barWidth = max(barWidth, 1)
        switch style {
        case .automatic: self.style = isatty(1) == 1 ? .inPlace : .lines
        default: self.style = style
        }
        self.output = output ?? { text in
            print(text, terminator: "")
            fflush(nil)   // all C streams, standard output included
        }
        self.clock = clock
        self.start = clock()
    }

    /// Records that `step` steps are done and the latest metric values (kept until replaced),
    /// and redraws when it is time to.
    public func update<Value: BinaryFloatingPoint>(step: Int, values: KeyValuePairs<String, Value>) {
        update(step: step, values: values.map { ($0.key, Double($0.value)) })
    }

    /// Records that `step` steps are done (and optionally new metric values), and redraws when it
    /// is time to.
    public func update(step: Int, values newValues: [(String, Double)] = []) {
        guard !finished else { return }
        self.step = max(step, 0)
        for (name, value) in newValues {
            if let i = values.firstIndex(where: { $0.0 == name }) {
                values[i].1 = value
            } else {
                values.append((name, value))
            }
        }
        let now = clock()
        let complete = total.map { self.step >= $0 } ?? false
        let interval = style == .inPlace ? redrawInterval : lineInterval
        if complete || now - lastDraw >= interval {
            draw(now: now)
        }
    }

    /// Advances by `count` steps (one by default).
    public func advance(by count: Int = 1, values newValues: [(String, Double)] = []) {
        update(step: step + count, values: newValues)
    }

    /// Draws the final state and ends the line. Later updates are ignored.
    public func finish() {
        guard !finished else { return }
        draw(now: clock(), force: true)
        if style == .inPlace { output("\n") }
        finished = true
    }

    /// The text of the bar at time `now` (seconds on the bar's clock).
    func render(now: TimeInterval) -> String {
        let elapsed = max(now - start, 0)
        let rate = elapsed > 0 ? Double(max(step - initial, 0)) / elapsed : 0
        var text = description.isEmpty ? "" : description + " "
        if let total {
            let fraction = total > 0 ? min(Double(step) / Double(total), 1) : 1
            let filled = Int((fraction * Double(barWidth)).rounded(.down))
            text += String(format: "%3d%%|", Int((fraction * 100).rounded(.down)))
            text += String(repeating: "#", count: filled) + String(repeating: " ", count: barWidth - filled) + "| "
            text += "\(step)/\(total) [\(Self.time(elapsed))<"
            text += rate > 0 ? Self.time(Double(max(total - step, 0)) / rate) : "?"
        } else {
            text += "\(step) [\(Self.time(elapsed))"
        }
        text += ", " + Self.rate(rate)
        for (name, value) in values { text += ", \(name)=\(Self.value(value))" }
        return text + "]"
    }

    private func draw(now: TimeInterval, force: Bool = false) {
        lastDraw = now
        let text = render(now: now)
        switch style {
        case .inPlace:
            let padding = max(lastLength - text.count, 0)
            output("\r" + text + String(repeating: " ", count: padding))
            lastLength = text.count
        default:
            output(text + "\n")
        }
    }

    /// `mm:ss`, or `h:mm:ss` from an hour on.
    static func time(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = Int(seconds.rounded(.down))
        if s >= 3600 { return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) }
        return String(format: "%02d:%02d", s / 60, s % 60)
    }

    /// `12.34 it/s`, or `2.50 s/it` below one step per second.
    static func rate(_ rate: Double) -> String {
        if rate <= 0 { return "? it/s" }
        return rate >= 1 ? String(format: "%.2f it/s", rate) : String(format: "%.2f s/it", 1 / rate)
    }

    /// Four significant digits: `0.1235`, `1234`, `1.235e-05`.
    static func value(_ value: Double) -> String {
        String(format: "%.4g", value)
    }
}
