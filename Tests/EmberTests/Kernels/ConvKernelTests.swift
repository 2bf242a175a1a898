import XCTest
@testable import Ember
import CEmberKernels

/// The convolution kernels (batch-parallel im2col + GEMM, direct small-Cout kernels) and the
/// float32 C elementwise kernels against plain reference loops, on odd shapes, 1 and 2 threads.
/// Speed is never asserted here.
final class ConvKernelTests: XCTestCase {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func float() -> Float { Float(next() >> 40) * 0x1p-23 - 1 }
        mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
        mutating func floats(_ n: Int) -> [Float] { (0..<n).map { _ in float() } }
    }

    var savedThreads = Threading.maxThreads
    override func setUp() { savedThreads = Threading.maxThreads }
    override func tearDown() { Threading.maxThreads = savedThreads }

    /// Reference forward in Double: y[n,co,oh,ow] = b[co] + Σ w·x.
    func refForward(_ g: ConvGeometry, _ x: [Float], _ w: [Float], _ b: [Float]?) -> [Double] {
        var y = [Double](repeating: 0, count: g.batch * g.outChannels * g.outPlane)
        let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
        for n in 0..<g.batch { for co in 0..<g.outChannels { for oh in 0..<g.outH { for ow in 0..<g.outW {
            var s = Double(b?[co] ?? 0)
            let grp = co / coutG
            for ci in 0..<cinG { for a in 0..<g.kH { for bb in 0..<g.kW {
                let ih = oh * g.strideH - g.padTop + a * g.dilationH, iw = ow * g.strideW - g.padLeft + bb * g.dilationW
                if ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW { continue }
                let c = grp * cinG + ci
                s += Double(w[((co * cinG + ci) * g.kH + a) * g.kW + bb]) * Double(x[((n * g.inChannels + c) * g.inH + ih) * g.inW + iw])
            } } }
            y[((n * g.outChannels + co) * g.outH + oh) * g.outW + ow] = s
        } } } }
        return y
    }

    func check(_ got: [Float], _ want: [Double], _ what: String, tol: Double = 1e-4) {
        XCTAssertEqual(got.count, want.count)
        let scale = max(1, want.map { abs($0) }.max() ?? 1)
        for i in 0..<got.count where abs(Double(got[i]) - want[i]) > tol * scale {
            XCTFail("\(what): element \(i): \(got[i]) vs \(want[i])"); return
        }
    }

    func randomGeometry(_ rng: inout Rng, smallCout: Bool) -> ConvGeometry {
        let k = rng.int(1...5), s = rng.int(1...2), p = rng.int(0...k / 2)
        let inH = rng.int(k...13), inW = rng.int(k...11)
        let groups = smallCout ? 1 : rng.int(1...2)
        let cin = groups * rng.int(1...4), cout = smallCout ? rng.int(1...2) : groups * rng.int(1...5)
        let outH = (inH + 2 * p - k) / s + 1, outW = (inW + 2 * p - k) / s + 1
        return ConvGeometry(batch: rng.int(1...7), inChannels: cin, inH: inH, inW: inW, outChannels: cout,
                            outH: outH, outW: outW, kH: k, kW: k, strideH: s, strideW: s, padTop: p, padLeft: p,
                            dilationH: 1, dilationW: 1, groups: groups)
    }

    func testConvolutionKernelsMatchReference() {
        var rng = Rng(state: 42)
        for threads in [1, 2] {
            Threading.maxThreads = threads
            for trial in 0..<40 {
                let g = randomGeometry(&rng, smallCout: trial % 2 == 0)
                let x = rng.floats(g.batch * g.inChannels * g.inPlane)
                let w = rng.floats(g.outChannels * g.groupRows)
                let b = rng.floats(g.outChannels)
                let dy = rng.floats(g.batch * g.outChannels * g.outPlane)
                let label = "\(g) threads \(threads)"
                // forward
                var y = [Float](repeating: .nan, count: dy.count)
                x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in b.withUnsafeBufferPointer { bp in
                    y.withUnsafeMutableBufferPointer { yp in
                        ConvKernels.forward(g, x: xp.baseAddress!, w: wp.baseAddress!, bias: bp.baseAddress!, y: yp.baseAddress!)
                    } } } }
                check(y, refForward(g, x, w, b), "forward \(label)")
                // data gradient: <D(dy, w), x> = <dy, F(x, w)> for every x: check against e_i columns via
                // the explicit adjoint loop.
                var dx = [Float](repeating: .nan, count: x.count)
                dy.withUnsafeBufferPointer { dp in w.withUnsafeBufferPointer { wp in dx.withUnsafeMutableBufferPointer { xp in
                    ConvKernels.backwardData(g, dy: dp.baseAddress!, w: wp.baseAddress!, dx: xp.baseAddress!)
                } } }
                var dxRef = [Double](repeating: 0, count: x.count)
                var dwRef = [Double](repeating: 0, count: w.count)
                let cinG = g.inChannels / g.groups, coutG = g.outChannels / g.groups
                for n in 0..<g.batch { for co in 0..<g.outChannels { for oh in 0..<g.outH { for ow in 0..<g.outW {
                    let d = Double(dy[((n * g.outChannels + co) * g.outH + oh) * g.outW + ow])
                    for ci in 0..<cinG { for a in 0..<g.kH { for bb in 0..<g.kW {
                        let ih = oh * g.strideH - g.padTop + a, iw = ow * g.strideW - g.padLeft + bb
                        if ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW { continue }
                        let xi = ((n * g.inChannels + (co / coutG) * cinG + ci) * g.inH + ih) * g.inW + iw
                        let wi = ((co * cinG + ci) * g.kH + a) * g.kW + bb
                        dxRef[xi] += Double(w[wi]) * d
                        dwRef[wi] += Double(x[xi]) * d
                    } } }
                } } } }
                check(dx, dxRef, "backwardData \(label)")
                var dw = [Float](repeating: .nan, count: w.count)
                x.withUnsafeBufferPointer { xp in dy.withUnsafeBufferPointer { dp in dw.withUnsafeMutableBufferPointer { wp in
                    ConvKernels.backwardWeight(g, x: xp.baseAddress!, dy: dp.baseAddress!, dw: wp.baseAddress!)
                } } }
                check(dw, dwRef, "backwardWeight \(label)")
            }
        }
    }

    func testAdamKernelIsBitExactWithTorchOrder() {
        var rng = Rng(state: 7)
        for n in [1, 7, 8, 9, 33, 1000] {
            for (w1, coupled, decoupled) in [(Float(0.1), false, false), (0.5, true, false), (0.1, false, true), (0.7, true, false)] {
                let g = rng.floats(n)
                let p = rng.floats(n), m = rng.floats(n).map { $0 * 0.1 }, v = rng.floats(n).map { abs($0) * 0.01 }
                var pr = p, mr = m, vr = v
                let b2: Float = 0.999, c2: Float = 1 - 0.999, negStep: Float = -2e-4 / 0.19, bc2: Float = 0.0447
                let eps: Float = 1e-8, wd: Float = 0.01, shrink: Float = 1 - 2e-4 * 0.01
                for i in 0..<n {
                    var pi = pr[i], gi = g[i]
                    if decoupled { pi = pi * shrink }
                    if coupled { gi = fusedMultiplyAdd(wd, pi, gi) }
                    let mi = torchLerp(mr[i], gi, w1); mr[i] = mi
                    let vi = fusedMultiplyAdd(c2 * gi, gi, vr[i] * b2); vr[i] = vi
                    pr[i] = pi + (negStep * mi) / (vi.squareRoot() / bc2 + eps)
                }
                for avx in [false, true] where !avx || VectorKernels.avx2 {
                    var pp = p, mm = m, vv = v
                    pp.withUnsafeMutableBufferPointer { pb in mm.withUnsafeMutableBufferPointer { mb in
                        vv.withUnsafeMutableBufferPointer { vb in g.withUnsafeBufferPointer { gb in
                            (avx ? ember_adam_torch_f32_avx2 : ember_adam_torch_f32_ref)(
                                n, pb.baseAddress!, gb.baseAddress!, mb.baseAddress!, vb.baseAddress!, w1, b2, c2,
                                negStep, bc2, eps, wd, shrink, coupled ? 1 : 0, decoupled ? 1 : 0)
                        } } } }
                    XCTAssertEqual(pp.map(\.bitPattern), pr.map(\.bitPattern), "p n=\(n) avx=\(avx)")
                    XCTAssertEqual(mm.map(\.bitPattern), mr.map(\.bitPattern), "m n=\(n) avx=\(avx)")
                    XCTAssertEqual(vv.map(\.bitPattern), vr.map(\.bitPattern), "v n=\(n) avx=\(avx)")
                }
            }
        }
    }

    func testUnaryKernelsMatchLibm() {
        var rng = Rng(state: 3)
        for threads in [1, 2] {
            Threading.maxThreads = threads
            for n in [1, 5, 8, 13, 100_003] {
                let xs = rng.floats(n).map { $0 * 12 }
                let x = Tensor(xs, shape: [n])
                let t = x.tanh().toArray(), s = x.sigmoid().toArray()
                for i in 0..<n {
                    XCTAssertEqual(t[i], Float.tanh(xs[i]), accuracy: 4e-7 * max(1, abs(Float.tanh(xs[i]))))
                    XCTAssertEqual(s[i], 1 / (1 + Float.exp(-xs[i])), accuracy: 4e-7)
                }
            }
        }
    }
}
