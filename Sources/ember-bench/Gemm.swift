import Ember
import Foundation

/// SGEMM throughput of Ember's `sgemm` (GFLOP/s): square sizes 256-2048 and the GEMMs of the four
/// workloads (row-major M×K @ K×N, as in shared/bench/peers/RESULTS.md section 2). Each shape runs
/// back-to-back calls for about `--steps` × 20 ms after a warm-up; the median of the per-call rates
/// is reported. The last line is one JSON object.
func gemmWorkload(_ o: BenchOptions) {
    let shapes: [(String, Int, Int, Int)] = [
        ("square 256", 256, 256, 256), ("square 512", 512, 512, 512), ("square 1024", 1024, 1024, 1024),
        ("square 2048", 2048, 2048, 2048),
        ("a,b G fc 100->256", 128, 100, 256), ("a,b G fc 256->512", 128, 256, 512),
        ("a,b G fc 512->1024", 128, 512, 1024), ("a,b G fc 1024->784", 128, 1024, 784),
        ("a D fc 784->1024", 128, 784, 1024), ("a D fc 1024->512", 128, 1024, 512),
        ("a,b D fc 512->256", 128, 512, 256), ("a,b D fc 256->1 (GEMV)", 128, 256, 1),
        ("c D conv2 3x3 64->128 (im2col)", 15488, 576, 128), ("c D fc 3200->1024", 128, 3200, 1024),
        ("c,d G fc 1024->6272", 128, 1024, 6272), ("c G conv 5x5 128->64 @14 (im2col)", 25088, 3200, 64),
        ("d D conv2 5x5 64->128 (im2col)", 8192, 1600, 128), ("d D fc 2048->1024", 128, 2048, 1024),
        ("d G fc 2048->6272", 128, 2048, 6272), ("d G convT 128->128 s2 (col GEMM)", 6272, 128, 3200),
    ]
    var entries: [String] = []
    for (name, m, k, n) in shapes {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(m * k) { a[i] = Float(i % 17) * 0.01 - 0.08 }
        for i in 0..<(k * n) { b[i] = Float(i % 13) * 0.01 - 0.06 }
        func call() { sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: c, ldc: n) }
        for _ in 0..<max(o.warmup, 1) { call() }
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        var rates: [Double] = []
        let budget = 20.0 * Double(max(o.steps, 1))
        var spent = 0.0
        while spent < budget || rates.count < 3 {
            let ms = milliseconds(call)
            spent += ms
            rates.append(flops / (ms * 1e6))
        }
        let gf = median(rates)
        if !o.json { print(String(format: "%-36@ %5d x %5d @ %5d x %5d  %7.1f GFLOP/s", name as NSString, m, k, k, n, gf)) }
        entries.append(String(format: "{\"shape\": \"%@\", \"m\": %d, \"k\": %d, \"n\": %d, \"gflops\": %.1f}", name, m, k, n, gf))
    }
    print("{\"workload\": \"gemm\", \"threads\": \(o.threads), \"peak_rss_mb\": \(String(format: "%.1f", peakRSSMegabytes())), \"shapes\": [\(entries.joined(separator: ", "))]}")
}
