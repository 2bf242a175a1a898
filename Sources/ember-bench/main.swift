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
case "gemm": gemmWorkload(options)
case "mlp-gan", "keras-gan", "dcgan-upsample", "dcgan-transposed":
    let w = makeWorkload(options.workload)
    var i = 0
    runTimed(options.workload, options) { w.step(i); i += 1 }
case "generate":
    for name in ["mlp-gan", "keras-gan", "dcgan-upsample", "dcgan-transposed"] {
        let w = makeWorkload(name)
        runTimed("generate-\(name)", options) { _ = w.generate().toArray() }
    }
default:
    FileHandle.standardError.write("ember-bench: unknown or not yet available workload \(options.workload)\n\(BenchOptions.usage)\n".data(using: .utf8)!)
    exit(2)
}
