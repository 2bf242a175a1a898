import Ember
import Foundation

// ember-bench: Ember's benchmark executable. See Benchmarks/RESULTS.md for the recorded figures.
let options: BenchOptions
do {
    options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write("ember-bench: \(error)\n\(BenchOptions.usage)\n".data(using: .utf8)!)
    exit(2)
}
Threading.maxThreads = options.threads

switch options.workload {
case "overhead": overheadWorkload(options)
default:
    FileHandle.standardError.write("ember-bench: unknown or not yet available workload \(options.workload)\n\(BenchOptions.usage)\n".data(using: .utf8)!)
    exit(2)
}
