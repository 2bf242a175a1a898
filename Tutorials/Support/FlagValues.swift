import Ember
import Foundation

/// Checked values of tutorial-specific flags: a value that does not fit prints the problem and
/// exits with code 2, like the shared flags do (`int(_:_:)` and `double(_:_:)` fall back silently).
extension TutorialOptions {
    /// Prints `tutorial: message` and the hint to standard error and exits with code 2.
    public static func exitWithUsageError(_ tutorial: String, _ message: String) -> Never {
        FileHandle.standardError.write("\(tutorial): \(message)\nRun with --help for the list of flags.\n".data(using: .utf8)!)
        exit(2)
    }

    /// The integer value of `--name`, at least `minimum`, or `fallback` when the flag is absent.
    public func checkedInt(_ name: String, _ fallback: Int, minimum: Int = 0, tutorial: String) -> Int {
        guard let text = extra[name] else { return fallback }
        guard let v = Int(text), v >= minimum else {
            Self.exitWithUsageError(tutorial, "invalid value '\(text)' for --\(name) (expected an integer >= \(minimum))")
        }
        return v
    }

    /// The value of `--name`, which must be one of `allowed`, or `fallback` when the flag is absent.
    public func choice(_ name: String, _ allowed: [String], _ fallback: String, tutorial: String) -> String {
        guard let text = extra[name] else { return fallback }
        guard allowed.contains(text) else {
            Self.exitWithUsageError(tutorial, "invalid value '\(text)' for --\(name) (expected \(allowed.joined(separator: " or ")))")
        }
        return text
    }

    /// The value of `--name` as a positive finite number, or `fallback` when the flag is absent.
    public func checkedPositiveDouble(_ name: String, _ fallback: Double, tutorial: String) -> Double {
        guard let text = extra[name] else { return fallback }
        guard let v = Double(text), v.isFinite, v > 0 else {
            Self.exitWithUsageError(tutorial, "invalid value '\(text)' for --\(name) (expected a positive number)")
        }
        return v
    }

    /// The value of `--name` as an Adam β (0 ≤ β < 1), or `fallback` when the flag is absent.
    public func checkedBeta(_ name: String, _ fallback: Double, tutorial: String) -> Double {
        guard let text = extra[name] else { return fallback }
        guard let v = Double(text), v >= 0, v < 1 else {
            Self.exitWithUsageError(tutorial, "invalid value '\(text)' for --\(name) (expected a number in [0, 1))")
        }
        return v
    }

    /// The number of training steps: `--epochs` × `batchesPerEpoch` when `--epochs` was given,
    /// otherwise `--steps`.
    public func totalSteps(batchesPerEpoch: Int) -> Int {
        epochs.map { $0 * batchesPerEpoch } ?? steps
    }
}

/// Prints `<tutorial>: <message>` on standard error and exits with code 2 (a usage error).
public func exitWithUsageError(_ message: String, tutorial: String) -> Never {
    TutorialOptions.exitWithUsageError(tutorial, message)
}

/// Minutes and seconds, for the wall time a tutorial prints at the end: `3m07s`, `42.1s`.
public func formatDuration(_ seconds: Double) -> String {
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let s = Int(seconds.rounded())
    return String(format: "%dm%02ds", s / 60, s % 60)
}

/// The checkpoint file `--resume` names: the file itself, or the newest `ckpt-<step>.safetensors`
/// when it names a folder. Exits with code 2 when a folder holds no checkpoint.
public func resolveCheckpoint(_ url: URL, tutorial: String) -> URL {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else { return url }
    guard let latest = Checkpoint.latest(inDirectory: url) else {
        TutorialOptions.exitWithUsageError(tutorial, "no checkpoint (ckpt-<step>.safetensors) in \(url.path)")
    }
    return latest
}

/// The folder a run writes to: `--out` when it was given; when resuming without `--out`, the run
/// folder the checkpoint lives in (`<run>/checkpoints/ckpt-<step>.safetensors` → `<run>`), so that
/// the resumed run continues the same logs; otherwise the default `runs/<tutorial>/<timestamp>`.
public func runDirectory(_ options: TutorialOptions, resumingFrom checkpoint: URL?,
                         arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> URL {
    guard let checkpoint, !arguments.contains("--out") else { return options.outDirectory }
    let folder = checkpoint.deletingLastPathComponent()
    return folder.lastPathComponent == "checkpoints" ? folder.deletingLastPathComponent() : options.outDirectory
}
