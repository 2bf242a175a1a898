import Ember
import Foundation

/// Command-line options of ember-bench.
struct BenchOptions {
    var workload = "overhead"
    var steps = 20
    var warmup = 3
    var threads = Threading.maxThreads
    var json = false

    static let usage = """
    usage: ember-bench --workload NAME [--steps N] [--warmup W] [--threads T] [--json]
    workloads: overhead, gemm, mlp-gan, keras-gan, dcgan-upsample, dcgan-transposed, generate
    """

    enum ParseError: Error, CustomStringConvertible {
        case unknown(String), missingValue(String), badValue(String, String)
        var description: String {
            switch self {
            case .unknown(let f): return "unknown option \(f)"
            case .missingValue(let f): return "option \(f) needs a value"
            case .badValue(let f, let v): return "option \(f): invalid value \(v)"
            }
        }
    }

    static func parse(_ args: [String]) throws -> BenchOptions {
        var o = BenchOptions()
        var i = 0
        func value(_ flag: String) throws -> String {
            i += 1
            guard i < args.count else { throw ParseError.missingValue(flag) }
            return args[i]
        }
        func int(_ flag: String) throws -> Int {
            let v = try value(flag)
            guard let n = Int(v), n >= 0 else { throw ParseError.badValue(flag, v) }
            return n
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "--workload": o.workload = try value(a)
            case "--steps": o.steps = try int(a)
            case "--warmup": o.warmup = try int(a)
            case "--threads": o.threads = max(1, try int(a))
            case "--json": o.json = true
            case "--help", "-h": print(usage); exit(0)
            default: throw ParseError.unknown(a)
            }
            i += 1
        }
        return o
    }
}


