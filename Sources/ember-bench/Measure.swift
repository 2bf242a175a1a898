import Foundation

/// Wall-clock milliseconds of `body`.
func milliseconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    if s.isEmpty { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Peak resident set size of this process in MiB (VmHWM from /proc/self/status; ru_maxrss elsewhere).
func peakRSSMegabytes() -> Double {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Runs `warmup` + `steps` timed calls of `step` and prints the contract's JSON line.
func runTimed(_ name: String, _ o: BenchOptions, _ step: () -> Void) {
    for _ in 0..<o.warmup { step() }
    var times: [Double] = []
    for _ in 0..<max(o.steps, 1) { times.append(milliseconds(step)) }
    let line = String(format: "{\"workload\": \"%@\", \"threads\": %d, \"steps\": %d, \"median_step_ms\": %.3f, \"min_step_ms\": %.3f, \"peak_rss_mb\": %.1f}",
                      name, o.threads, times.count, median(times), times.min() ?? .nan, peakRSSMegabytes())
    if !o.json { print("\(name): median \(String(format: "%.3f", median(times))) ms, min \(String(format: "%.3f", times.min() ?? .nan)) ms over \(times.count) steps") }
    print(line)
}
