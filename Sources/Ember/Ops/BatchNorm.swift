// Batch normalisation (PyTorch's F.batch_norm plus the running-statistics bookkeeping of
// nn.BatchNorm{1,2}d), for [N, C], [N, C, L] and [N, C, H, W] inputs.

/// Normalises each channel of a batch, like PyTorch's `F.batch_norm` together with the
/// running-statistics update of `nn.BatchNorm1d/2d`.
///
/// `y = (x − μ) / √(σ² + eps) · weight + bias`, per channel `c = x.shape[1]`, with statistics over
/// all other dimensions.
///
/// - Training (`training: true`): μ and σ² are the batch mean and **biased** batch variance.
///   When running statistics are given they are updated in place (without history):
///   `runningMean ← (1 − m)·runningMean + m·μ`, `runningVar ← (1 − m)·runningVar + m·σ²·n/(n − 1)`
///   (the **unbiased** variance, n values per channel), and `numBatchesTracked` (an int64 scalar)
///   is incremented. `momentum: nil` uses the cumulative average m = 1/numBatchesTracked.
///   Needs more than one value per channel.
/// - Evaluation (`training: false`): μ and σ² are `runningMean` and `runningVar`, which must be given.
///
/// - Parameters:
///   - x: `[N, C, ...]`.
///   - runningMean, runningVar: `[C]` buffers (same dtype as x), or nil to not track statistics.
///   - weight, bias: the affine `γ`, `β` (`[C]`), or nil for 1 and 0.
///   - momentum: the weight of the new batch in the running averages (PyTorch's convention:
///     Keras' `momentum` 0.99 is 0.01 here).
///   - eps: added to the variance for stability.
///   - numBatchesTracked: the int64 0-d counter of `nn.BatchNorm`; required when momentum is nil.
public func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor?, bias: Tensor?,
                      training: Bool, momentum: Double? = 0.1, eps: Double = 1e-5,
                      numBatchesTracked: Tensor? = nil) -> Tensor {
    let op = "batchNorm"
    if !x.dtype.isFloatingPoint || x.rank < 2 {
        fail(op, "expected a floating-point input [N, C, ...] of rank 2 or more, got \(x.dtype) \(shapeString(x.shape))")
    }
    let n = x.shape[0], c = x.shape[1], s = x.shape[2...].reduce(1, *), count = n * s
    for (name, t) in [("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVar", runningVar)] {
        guard let t else { continue }
        if t.shape != [c] || t.dtype != x.dtype {
            fail(op, "\(name) must be a \(x.dtype) tensor of shape [\(c)] for input \(shapeString(x.shape)), got \(t.dtype) \(shapeString(t.shape))")
        }
    }
    if (runningMean == nil) != (runningVar == nil) { fail(op, "give both runningMean and runningVar, or neither") }
    if !training && runningMean == nil {
        fail(op, "runningMean and runningVar must be given in evaluation mode (training: false); use training: true to normalise with batch statistics")
    }
    if training && count <= 1 {
        fail(op, "Expected more than 1 value per channel when training, got input size \(shapeString(x.shape))")
    }
    if let numBatchesTracked, numBatchesTracked.dtype != .int64 || numBatchesTracked.count != 1 {
        fail(op, "numBatchesTracked must be an int64 scalar, got \(numBatchesTracked.dtype) \(shapeString(numBatchesTracked.shape))")
    }
    let xd = x.contiguousData
    var mean = [Double](repeating: 0, count: c), invStd = [Double](repeating: 0, count: c)
    func statistics<T: TensorFloat>(_: T.Type) {
        if training {
            var variance = [Double](repeating: 0, count: c)
            batchNormStatistics(xd.basePointer(T.self), n: n, c: c, s: s, mean: &mean, variance: &variance)
            for i in 0..<c { invStd[i] = 1 / (variance[i] + eps).squareRoot() }
            if let runningMean, let runningVar {
                var m = momentum ?? 0
                if let numBatchesTracked {
                    let tracked = numBatchesTracked.withUnsafeMutableBufferPointer(as: Int64.self) { p in p[0] += 1; return p[0] }
                    if momentum == nil { m = 1 / Double(tracked) }
                } else if momentum == nil {
                    fail(op, "momentum nil (cumulative average) needs numBatchesTracked")
                }
                let unbiased = Double(count) / Double(count - 1)
                runningMean.withUnsafeMutableBufferPointer(as: T.self) { rm in
                    for i in 0..<c { rm[i] = T((1 - m) * Double(rm[i]) + m * mean[i]) }
                }
                runningVar.withUnsafeMutableBufferPointer(as: T.self) { rv in
                    for i in 0..<c { rv[i] = T((1 - m) * Double(rv[i]) + m * variance[i] * unbiased) }
                }
            }
        } else {
            let rm = runningMean!.toDoubleArray(), rv = runningVar!.toDoubleArray()
            for i in 0..<c { mean[i] = rm[i]; invStd[i] = 1 / (rv[i] + eps).squareRoot() }
        }
    }
    switch x.dtype {
    case .float32: statistics(Float.self)
    case .float64: statistics(Double.self)
    case .int64: break
    }
    // Fused normalise + affine: y = x·a + b, a = γ/σ, b = β − μ·a.
    let gamma = weight?.toDoubleArray(), beta = bias?.toDoubleArray()
    let a = (0..<c).map { (gamma?[$0] ?? 1) * invStd[$0] }
    let b = (0..<c).map { (beta?[$0] ?? 0) - mean[$0] * a[$0] }
    let y = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
    func apply<T: TensorFloat>(_: T.Type) {
        channelAffine(xd.basePointer(T.self), n: n, c: c, s: s, a: a.map { T($0) }, b: b.map { T($0) }, y.basePointer(T.self))
    }
    if x.dtype == .float32 { apply(Float.self) } else { apply(Double.self) }

    var inputs = [x]
    let weightIndex = weight.map { inputs.append($0); return inputs.count - 1 }
    let biasIndex = bias.map { inputs.append($0); return inputs.count - 1 }
    if Autograd.shouldRecord(inputs) {
        let saved = [x.detach()] + (weight.map { [$0.detach()] } ?? [])
        let stats = BatchNormStatistics(mean: mean, invStd: invStd, training: training, eps: eps, count: count)
        y.recorded(op, inputs, saved: saved, inputsSaved: false) { g, node in
            let x = node.input(0), w = weightIndex.map { node.input($0) }
            let grads = Autograd.gradEnabled
                ? stats.differentiableBackward(g, x, w)
                : stats.backward(g, x, w, needInput: node.needsGrad(0), needAffine: weightIndex.map { node.needsGrad($0) } ?? false || biasIndex.map { node.needsGrad($0) } ?? false)
            var out: [Tensor?] = [node.needsGrad(0) ? grads.x : nil]
            if let weightIndex { out.append(node.needsGrad(weightIndex) ? grads.weight : nil) }
            if let biasIndex { out.append(node.needsGrad(biasIndex) ? grads.bias : nil) }
            return out
        }
    }
    return y
}

/// What the batch-norm backward needs from the forward pass.
private struct BatchNormStatistics {
    let mean: [Double], invStd: [Double]
    let training: Bool, eps: Double, count: Int

    /// Closed form: dβ = Σu, dγ = Σ u·x̂, and in training
    /// dx = γ/σ·(u − Σu/n − x̂·Σ(u·x̂)/n) = k1·u + k2·x + k3; in evaluation dx = γ/σ·u.
    func backward(_ g: Tensor, _ x: Tensor, _ w: Tensor?, needInput: Bool, needAffine: Bool) -> (x: Tensor?, weight: Tensor?, bias: Tensor?) {
        let n = x.shape[0], c = x.shape[1], s = x.shape[2...].reduce(1, *), nf = Double(count)
        let gd = g.contiguousData, xd = x.contiguousData
        let gamma = w?.toDoubleArray() ?? [Double](repeating: 1, count: c)
        var s1 = [Double](repeating: 0, count: c), s2 = [Double](repeating: 0, count: c)
        var dx: Tensor? = nil
        func run<T: TensorFloat>(_: T.Type) {
            batchNormBackwardSums(gd.basePointer(T.self), xd.basePointer(T.self), n: n, c: c, s: s, mean: mean, sumDy: &s1, sumDyXmu: &s2)
            guard needInput else { return }
            var k1 = [T](), k2 = [T](), k3 = [T]()
            for i in 0..<c {
                let r = invStd[i], a = gamma[i] * r
                let b = training ? -gamma[i] * r * r * r * s2[i] / nf : 0
                let d = training ? -a * s1[i] / nf - b * mean[i] : 0
                k1.append(T(a)); k2.append(T(b)); k3.append(T(d))
            }
            let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
            channelAffine2(gd.basePointer(T.self), xd.basePointer(T.self), n: n, c: c, s: s, a: k1, b: k2, d: k3, out.basePointer(T.self))
            dx = out
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        guard needAffine else { return (dx, nil, nil) }
        let dGamma = Tensor((0..<c).map { s2[$0] * invStd[$0] }, shape: [c], dtype: x.dtype)
        return (dx, dGamma, Tensor(s1, shape: [c], dtype: x.dtype))
    }

    /// The same gradients written with tensor ops, so that they can be differentiated again
    /// (used when backward runs with createGraph).
    func differentiableBackward(_ g: Tensor, _ x: Tensor, _ w: Tensor?) -> (x: Tensor?, weight: Tensor?, bias: Tensor?) {
        let c = x.shape[1]
        let keep = [1, c] + [Int](repeating: 1, count: x.rank - 2)
        let dims = [0] + Array(2..<x.rank)
        let rstd: Tensor, xhat: Tensor
        if training {
            let centered = x - x.mean(dims: dims, keepDim: true)
            rstd = ((centered * centered).mean(dims: dims, keepDim: true) + eps).rsqrt()
            xhat = centered * rstd
        } else {
            rstd = Tensor(invStd, shape: keep, dtype: x.dtype)
            xhat = (x - Tensor(mean, shape: keep, dtype: x.dtype)) * rstd
        }
        let dBeta = g.sum(dims: dims, keepDim: true), dGamma = (g * xhat).sum(dims: dims, keepDim: true)
        let scale = w.map { $0.reshape(keep) * rstd } ?? rstd
        let nf = Double(count)
        let dx = training ? scale * (g - dBeta / nf - xhat * dGamma / nf) : scale * g
        return (dx, dGamma.reshape([c]), dBeta.reshape([c]))
    }
}
