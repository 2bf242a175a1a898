import Ember

/// Per-op cost of the eager path: a chain of `length` adds of 16-element tensors with gradient
/// recording, followed by `backward()`, reported in microseconds per op.
func overheadWorkload(_ o: BenchOptions) {
    let length = 1000
    let x = Tensor.randn([16], requiresGrad: true)
    let b = Tensor.randn([16])
    let w = Tensor.randn([16], requiresGrad: true)
    func chain() {
        var y = x
        for _ in 0..<length { y = y + b }
        y.sum().backward()
        x.grad = nil
    }
    func chainBothRequireGrad() {
        var y = x
        for _ in 0..<length { y = y * w }
        y.sum().backward()
        x.grad = nil
        w.grad = nil
    }
    func chainNoGrad() {
        withNoGrad {
            var y = x
            for _ in 0..<length { y = y + b }
            _ = y
        }
    }
    for (label, f) in [("add with grad + backward", chain), ("mul, both require grad, + backward", chainBothRequireGrad), ("add without grad", chainNoGrad)] {
        for _ in 0..<max(o.warmup, 1) { f() }
        var times: [Double] = []
        for _ in 0..<max(o.steps, 5) { times.append(milliseconds(f)) }
        let us = median(times) * 1000 / Double(length)
        print(String(format: "overhead %@: %.3f us/op (median of %d chains of %d ops)", label, us, times.count, length))
    }
    runTimed("overhead", o) { chain() }
}
