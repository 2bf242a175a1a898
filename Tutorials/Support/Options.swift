import Ember
import Foundation

/// The command-line flags every tutorial understands.
///
/// `--data DIR` (default: the MNIST test split bundled with Ember), `--epochs N` / `--steps N`,
/// `--batch-size N`, `--seed N`, `--out DIR` (default `runs/<tutorial>/<timestamp>`),
/// `--resume CHECKPOINT`, `--help`; plus any flags a tutorial declares. Bad flags print a clear
/// message and exit with code 2.
public struct TutorialOptions {
    /// A folder with MNIST-format IDX files, or nil for the bundled test split.
    public var dataDirectory: URL?
    /// Passes over the data (when set, takes precedence over `steps`).
    public var epochs: Int?
    /// Training steps.
    public var steps: Int
    /// Examples per batch.
    public var batchSize: Int
    /// The random seed.
    public var seed: UInt64
    /// Where pictures, logs and checkpoints go.
    public var outDirectory: URL
    /// A checkpoint to continue from.
    public var resume: URL?
    /// Tutorial-specific flag values by name (without the dashes).
    public var extra: [String: String]

    /// An integer tutorial flag, or `fallback`.
    public func int(_ name: String, _ fallback: Int) -> Int { extra[name].flatMap(Int.init) ?? fallback }
    /// A floating-point tutorial flag, or `fallback`.
    public func double(_ name: String, _ fallback: Double) -> Double { extra[name].flatMap(Double.init) ?? fallback }
    /// Whether a boolean tutorial flag was given.
    public func flag(_ name: String) -> Bool { extra[name] == "true" }

    /// A tutorial-specific flag: `--name VALUE`, or `--name` alone when `takesValue` is false.
    public struct Flag {
        public let name: String, help: String, takesValue: Bool
        public init(_ name: String, help: String, takesValue: Bool = true) {
            self.name = name; self.help = help; self.takesValue = takesValue
        }
    }

    /// Parses `CommandLine.arguments`; prints help and exits 0 for `--help`, prints the problem
    /// and exits 2 for a bad flag.
    public static func parse(tutorial: String, summary: String, defaultSteps: Int, defaultBatchSize: Int,
                             extraFlags: [Flag] = [], arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> TutorialOptions {
        switch parseOrError(tutorial: tutorial, defaultSteps: defaultSteps, defaultBatchSize: defaultBatchSize,
                            extraFlags: extraFlags, arguments: arguments) {
        case .success(let o): return o
        case .failure(let e):
            if case .help = e {
                print(usage(tutorial: tutorial, summary: summary, defaultSteps: defaultSteps, defaultBatchSize: defaultBatchSize, extraFlags: extraFlags))
                exit(0)
            }
            FileHandle.standardError.write("\(tutorial): \(e)\nRun with --help for the list of flags.\n".data(using: .utf8)!)
            exit(2)
        }
    }

    /// Why parsing stopped.
    public enum ParseError: Error, CustomStringConvertible, Equatable {
        case help, unknownFlag(String), missingValue(String), invalidValue(flag: String, value: String), missingPath(String)
        public var description: String {
            switch self {
            case .help: return "help requested"
            case .unknownFlag(let f): return "unknown flag \(f)"
            case .missingValue(let f): return "flag \(f) needs a value"
            case .invalidValue(let f, let v): return "invalid value '\(v)' for \(f)"
            case .missingPath(let p): return "no such file or directory: \(p)"
            }
        }
    }

    /// The parsing itself, without exiting (for tests).
    public static func parseOrError(tutorial: String, defaultSteps: Int, defaultBatchSize: Int, extraFlags: [Flag] = [],
                                    arguments: [String]) -> Result<TutorialOptions, ParseError> {
        let stamp: String = {
            let f = DateFormatter()
            f.dateFormat = "yyyyMMdd-HHmmss"
            f.timeZone = TimeZone(identifier: "UTC")
            return f.string(from: Date())
        }()
        var o = TutorialOptions(dataDirectory: nil, epochs: nil, steps: defaultSteps, batchSize: defaultBatchSize, seed: 0,
                                outDirectory: URL(fileURLWithPath: "runs/\(tutorial)/\(stamp)"), resume: nil, extra: [:])
        var i = 0
        func value(_ flag: String) throws(ParseError) -> String {
            i += 1
            guard i < arguments.count, !arguments[i].hasPrefix("--") else { throw .missingValue(flag) }
            return arguments[i]
        }
        func positive(_ flag: String) throws(ParseError) -> Int {
            let v = try value(flag)
            guard let n = Int(v), n > 0 else { throw .invalidValue(flag: flag, value: v) }
            return n
        }
        do {
            while i < arguments.count {
                let a = arguments[i]
                switch a {
                case "--help", "-h": return .failure(.help)
                case "--data":
                    let p = try value(a)
                    var isDir: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue else { throw ParseError.missingPath(p) }
                    o.dataDirectory = URL(fileURLWithPath: p)
                case "--epochs": o.epochs = try positive(a)
                case "--steps": o.steps = try positive(a)
                case "--batch-size": o.batchSize = try positive(a)
                case "--seed":
                    let v = try value(a)
                    guard let s = UInt64(v) else { throw ParseError.invalidValue(flag: a, value: v) }
                    o.seed = s
                case "--out": o.outDirectory = URL(fileURLWithPath: try value(a))
                case "--resume":
                    let p = try value(a)
                    guard FileManager.default.fileExists(atPath: p) else { throw ParseError.missingPath(p) }
                    o.resume = URL(fileURLWithPath: p)
                default:
                    guard a.hasPrefix("--"), let flag = extraFlags.first(where: { "--" + $0.name == a }) else { throw ParseError.unknownFlag(a) }
                    o.extra[flag.name] = flag.takesValue ? try value(a) : "true"
                }
                i += 1
            }
        } catch let e as ParseError {
            return .failure(e)
        } catch {
            return .failure(.unknownFlag("\(error)"))
        }
        return .success(o)
    }

    static func usage(tutorial: String, summary: String, defaultSteps: Int, defaultBatchSize: Int, extraFlags: [Flag]) -> String {
        var lines = ["\(tutorial): \(summary)", "", "flags:",
                     "  --data DIR          MNIST-format IDX files (default: Ember's bundled MNIST test split)",
                     "  --epochs N          passes over the data (overrides --steps)",
                     "  --steps N           training steps (default \(defaultSteps))",
                     "  --batch-size N      examples per batch (default \(defaultBatchSize))",
                     "  --seed N            random seed (default 0)",
                     "  --out DIR           output folder (default runs/\(tutorial)/<timestamp>)",
                     "  --resume FILE       continue from a checkpoint"]
        for f in extraFlags {
            let left = "  --\(f.name)" + (f.takesValue ? " VALUE" : "")
            lines.append(left.padding(toLength: max(left.count + 2, 22), withPad: " ", startingAt: 0) + f.help)
        }
        lines.append("  --help              this text")
        return lines.joined(separator: "\n")
    }
}

/// Loads the training images: the `train` split of `--data` (falling back to its `test` split),
/// or the MNIST test split bundled with Ember. Exits with code 2 and a clear message on failure.
public func loadTrainingData(_ options: TutorialOptions, tutorial: String) -> MNISTDataset {
    do {
        guard let dir = options.dataDirectory else { return try MNISTDataset.embedded() }
        do { return try MNISTDataset(directory: dir, split: .train) } catch { return try MNISTDataset(directory: dir, split: .test) }
    } catch {
        FileHandle.standardError.write("\(tutorial): cannot load the data: \(error)\n".data(using: .utf8)!)
        exit(2)
    }
}
