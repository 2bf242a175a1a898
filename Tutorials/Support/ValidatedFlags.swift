import Foundation

/// Prints `<tutorial>: <message>` on standard error and exits with code 2 (a usage error).
public func exitWithUsageError(_ message: String, tutorial: String) -> Never {
    TutorialOptions.exitWithUsageError(tutorial, message)
}

extension TutorialOptions {
    /// The integer value of tutorial flag `--name`, or `fallback` when the flag is absent. A value
    /// that is not an integer or is below `minimum` prints the problem and exits with code 2
    /// (unlike `int(_:_:)`, which falls back silently).
    public func validatedInt(_ name: String, _ fallback: Int, minimum: Int = 0, tutorial: String) -> Int {
        checkedInt(name, fallback, minimum: minimum, tutorial: tutorial)
    }

    /// The value of tutorial flag `--name` as a positive finite number, or `fallback` when the
    /// flag is absent; anything else prints the problem and exits with code 2.
    public func validatedPositiveDouble(_ name: String, _ fallback: Double, tutorial: String) -> Double {
        guard let text = extra[name] else { return fallback }
        guard let v = Double(text), v.isFinite, v > 0 else {
            Self.exitWithUsageError(tutorial, "invalid value '\(text)' for --\(name) (expected a positive number)")
        }
        return v
    }

    /// The number of training steps: `--epochs` × `batchesPerEpoch` when `--epochs` was given,
    /// otherwise `--steps`.
    public func totalSteps(batchesPerEpoch: Int) -> Int {
        epochs.map { $0 * batchesPerEpoch } ?? steps
    }
}

/// Minutes and seconds, for the wall time a tutorial prints at the end: `3m07s`, `42.1s`.
public func formatDuration(_ seconds: Double) -> String {
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let s = Int(seconds.rounded())
    return String(format: "%dm%02ds", s / 60, s % 60)
}
