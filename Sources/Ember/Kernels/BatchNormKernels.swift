// Batch normalisation over x viewed as [N, C, S] (S = product of the spatial sizes):
// per-channel statistics in one pass, the fused normalise + affine, and the backward sums.

/// Sums over one channel, in Double with four independent accumulators:
/// Σ f(x) and Σ f(x)·g for f = x − shift, g = y (or f itself when `y` is nil).
@inline(__always)
private func channelSums<T: TensorFloat>(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>?, n: Int, c: Int, s: Int,
                                         channel: Int, shift: Double) -> (Double, Double) {
    var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0, b0 = 0.0, b1 = 0.0, b2 = 0.0, b3 = 0.0
    for i in 0..<n {
        let base = (i * c + channel) * s
        let xr = x + base
        var j = 0
        if let y {
            // Σ y and Σ y·(x − shift)
            let yr = y + base
            while j + 4 <= s {
                let y0 = Double(yr[j]), y1 = Double(yr[j + 1]), y2 = Double(yr[j + 2]), y3 = Double(yr[j + 3])
                a0 += y0; a1 += y1; a2 += y2; a3 += y3
                b0 += y0 * (Double(xr[j]) - shift); b1 += y1 * (Double(xr[j + 1]) - shift)
                b2 += y2 * (Double(xr[j + 2]) - shift); b3 += y3 * (Double(xr[j + 3]) - shift)
                j += 4
            }
            while j < s { let v = Double(yr[j]); a0 += v; b0 += v * (Double(xr[j]) - shift); j += 1 }
        } else {
            // Σ (x − shift) and Σ (x − shift)²
            while j + 4 <= s {
                let v0 = Double(xr[j]) - shift, v1 = Double(xr[j + 1]) - shift
                let v2 = Double(xr[j + 2]) - shift, v3 = Double(xr[j + 3]) - shift
                a0 += v0; a1 += v1; a2 += v2; a3 += v3
                b0 += v0 * v0; b1 += v1 * v1; b2 += v2 * v2; b3 += v3 * v3
                j += 4
            }
            while j < s { let v = Double(xr[j]) - shift; a0 += v; b0 += v * v; j += 1 }
        }
    }
    return ((a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3))
}

@inline(__always) private func channelGrain(_ n: Int, _ s: Int) -> Int { Swift.max(1, 32768 / Swift.max(n * s, 1)) }

/// Per-channel mean and biased variance, in one pass: sums of (x − K) and (x − K)² with K the
/// channel's first element, so var = E[(x−K)²] − E[x−K]² does not cancel catastrophically.
func batchNormStatistics<T: TensorFloat>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                         mean: UnsafeMutablePointer<Double>, variance: UnsafeMutablePointer<Double>) {
    let count = Double(n * s)
    parallelRanges(c, grain: channelGrain(n, s)) { lo, hi in
        for ch in lo..<hi {
            let shift = Double(x[ch * s])
            let (s1, s2) = channelSums(x, nil, n: n, c: c, s: s, channel: ch, shift: shift)
            let m = s1 / count
            mean[ch] = shift + m
            variance[ch] = Swift.max(s2 / count - m * m, 0)
        }
    }
}

/// Per-channel Σ dy and Σ dy·(x − mean[c]) (the two reductions of the batch-norm backward).
func batchNormBackwardSums<T: TensorFloat>(_ dy: UnsafePointer<T>, _ x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                           mean: UnsafePointer<Double>, sumDy: UnsafeMutablePointer<Double>,
                                           sumDyXmu: UnsafeMutablePointer<Double>) {
    parallelRanges(c, grain: channelGrain(n, s)) { lo, hi in
        for ch in lo..<hi {
            (sumDy[ch], sumDyXmu[ch]) = channelSums(x, dy, n: n, c: c, s: s, channel: ch, shift: mean[ch])
        }
    }
}

/// out = a[c]·x + b[c] (the fused normalise + affine, y = (x − μ)·γ/σ + β).
func channelAffine<T: TensorFloat>(_ x: UnsafePointer<T>, n: Int, c: Int, s: Int, a: UnsafePointer<T>, b: UnsafePointer<T>,
                                   _ out: UnsafeMutablePointer<T>) {
    parallelRanges(n * c, grain: Swift.max(1, 65536 / Swift.max(s, 1))) { lo, hi in
        for r in lo..<hi {
            let ch = r % c, av = a[ch], bv = b[ch]
            let src = x + r * s, dst = out + r * s
            for j in 0..<s { dst[j] = av * src[j] + bv }
        }
    }
}

/// out = a[c]·dy + b[c]·x + d[c] (the batch-norm input gradient in closed form).
func channelAffine2<T: TensorFloat>(_ dy: UnsafePointer<T>, _ x: UnsafePointer<T>, n: Int, c: Int, s: Int,
                                    a: UnsafePointer<T>, b: UnsafePointer<T>, d: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>) {
    parallelRanges(n * c, grain: Swift.max(1, 65536 / Swift.max(s, 1))) { lo, hi in
        for r in lo..<hi {
            let ch = r % c, av = a[ch], bv = b[ch], dv = d[ch]
            let g = dy + r * s, src = x + r * s, dst = out + r * s
            for j in 0..<s { dst[j] = av * g[j] + bv * src[j] + dv }
        }
    }
}
