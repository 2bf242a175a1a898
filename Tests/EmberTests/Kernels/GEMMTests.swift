import XCTest
@testable import Ember
import CEmberKernels

/// sgemm / dgemm against a naive triple loop in Double, on every kernel level this CPU has,
/// all four transpose combinations, odd sizes, padded leading dimensions, alpha/beta variants,
/// and 1 and 2 threads. Speed is never asserted here.
final class GEMMTests: XCTestCase {
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
    }

    var savedISA = KernelISA.active
    var savedThreads = Threading.maxThreads

    override func setUp() {
        savedISA = KernelISA.active
        savedThreads = Threading.maxThreads
    }

    override func tearDown() {
        KernelISA.active = savedISA
        Threading.maxThreads = savedThreads
        GEMMTuning.minParallelWork = 400_000
    }

    /// Every kernel level the CPU supports (the portable one always).
    var levels: [KernelISA] { [.portable, .avx2, .avx512].filter { $0 <= KernelISA.detected } }

    /// Checks one product. `pad` widens every leading dimension; C starts as random values (or
    /// NaN when beta == 0, which must be ignored).
    func check(
        _ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float = 1, beta: Float = 0,
        pad: Int = 0, rng: inout Rng, file: StaticString = #filePath, line: UInt = #line
    ) {
        let lda = (tA ? m : k) + pad, ldb = (tB ? k : n) + pad, ldc = n + pad
        let aRows = tA ? k : m, bRows = tB ? n : k
        var a = [Float](repeating: 0, count: max(1, aRows * lda))
        var b = [Float](repeating: 0, count: max(1, bRows * ldb))
        var c = [Float](repeating: 0, count: max(1, m * ldc))
        for i in a.indices { a[i] = rng.float() }
        for i in b.indices { b[i] = rng.float() }
        for i in c.indices { c[i] = beta == 0 ? .nan : rng.float() }
        let c0 = c
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: alpha,
                          a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                          beta: beta, c: pc.baseAddress!, ldc: ldc)
                }
            }
        }
        var worst = 0.0
        for i in 0 ..< m {
            for j in 0 ..< n {
                var s = 0.0, mag = 0.0
                for p in 0 ..< k {
                    let x = Double(tA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(tB ? b[j * ldb + p] : b[p * ldb + j])
                    s += x * y
                    mag += abs(x * y)
                }
                var want = Double(alpha) * s
                if beta != 0 { want += Double(beta) * Double(c0[i * ldc + j]) }
                let got = Double(c[i * ldc + j])
                // Float accumulation error grows with k: scale the tolerance by the magnitudes.
                let tol = 1e-5 * Double(max(k, 1)).squareRoot() * (abs(Double(alpha)) * mag + abs(Double(beta)) + 1) + 1e-6
                let err = abs(got - want)
                if !(err <= tol) {
                    XCTFail("\(KernelISA.active) T\(Threading.maxThreads) tA=\(tA) tB=\(tB) m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta) pad=\(pad): C[\(i),\(j)] = \(got), want \(want)", file: file, line: line)
                    return
                }
                worst = max(worst, err / tol)
            }
            // Padding columns of C must be untouched.
            for j in n ..< ldc where c[i * ldc + j].bitPattern != c0[i * ldc + j].bitPattern {
                XCTFail("padding C[\(i),\(j)] overwritten (m=\(m) n=\(n) k=\(k))", file: file, line: line)
                return
            }
        }
    }

    func testOddSizesAllTransposes() {
        var rng = Rng(state: 1)
        let sizes = [1, 2, 5, 7, 13, 17, 63, 65, 127, 129]
        for isa in levels {
            KernelISA.active = isa
            for threads in [1, 2] {
                Threading.maxThreads = threads
                GEMMTuning.minParallelWork = threads == 1 ? 400_000 : 0  // force the split
                for tA in [false, true] {
                    for tB in [false, true] {
                        for _ in 0 ..< 12 {
                            let m = sizes[rng.int(0 ... sizes.count - 1)]
                            let n = sizes[rng.int(0 ... sizes.count - 1)]
                            let k = sizes[rng.int(0 ... sizes.count - 1)]
                            check(tA, tB, m, n, k, rng: &rng)
                        }
                    }
                }
            }
        }
    }

    func testAlphaBetaAndPadding() {
        var rng = Rng(state: 2)
        for isa in levels {
            KernelISA.active = isa
            for threads in [1, 2] {
                Threading.maxThreads = threads
                GEMMTuning.minParallelWork = threads == 1 ? 400_000 : 0
                for (alpha, beta) in [(Float(1), Float(0)), (1, 1), (0.5, -2), (-1.5, 0), (2, 0.25)] {
                    for (tA, tB) in [(false, false), (true, false), (false, true), (true, true)] {
                        check(tA, tB, 37, 45, 29, alpha: alpha, beta: beta, pad: 3, rng: &rng)
                        check(tA, tB, 13, 1, 70, alpha: alpha, beta: beta, pad: 2, rng: &rng)
                        check(tA, tB, 1, 33, 70, alpha: alpha, beta: beta, pad: 5, rng: &rng)
                    }
                }
            }
        }
    }

    /// Shapes that cross the cache blocks (k > KC, m > MC) and the thread split, incl. K = 9/25.
    func testBlockingBoundaries() {
        var rng = Rng(state: 3)
        let shapes: [(Int, Int, Int)] = [
            (300, 260, 520), (129, 300, 257), (128, 100, 256), (250, 70, 9), (301, 64, 25),
            (64, 1, 300), (1, 300, 129), (2, 2, 1000), (700, 33, 17),
            (100, 3000, 20), (130, 5000, 9),  // small m and k, n > NC: narrow B blocks
        ]
        for isa in levels {
            KernelISA.active = isa
            for threads in [1, 2] {
                Threading.maxThreads = threads
                GEMMTuning.minParallelWork = threads == 1 ? 400_000 : 0
                for (m, n, k) in shapes {
                    let tA = rng.int(0 ... 1) == 1, tB = rng.int(0 ... 1) == 1
                    check(tA, tB, m, n, k, alpha: 1, beta: rng.int(0 ... 1) == 1 ? 1 : 0,
                          pad: rng.int(0 ... 4), rng: &rng)
                }
            }
        }
    }

    /// Many tasks per thread (the dynamic split) on a product big enough to use it.
    func testManyTasks() {
        var rng = Rng(state: 4)
        let saved = GEMMTuning.workPerTask
        defer { GEMMTuning.workPerTask = saved }
        GEMMTuning.workPerTask = 1 << 12
        for isa in levels {
            KernelISA.active = isa
            Threading.maxThreads = 2
            check(false, false, 200, 150, 40, rng: &rng)
            check(true, true, 150, 200, 40, beta: 1, pad: 1, rng: &rng)
        }
    }

    func testDegenerate() {
        // k == 0: C = beta * C; beta == 0 clears NaN.
        var c: [Float] = [.nan, .nan, 3, 4]
        let one: [Float] = [1]
        sgemm(transA: false, transB: false, m: 2, n: 2, k: 0, alpha: 1, a: one, lda: 1,
              b: one, ldb: 2, beta: 0, c: &c, ldc: 2)
        XCTAssertEqual(c, [0, 0, 0, 0])
        c = [1, 2, 3, 4]
        sgemm(transA: false, transB: false, m: 2, n: 2, k: 0, alpha: 1, a: one, lda: 1,
              b: one, ldb: 2, beta: 2, c: &c, ldc: 2)
        XCTAssertEqual(c, [2, 4, 6, 8])
    }

    func testDGEMM() {
        var rng = Rng(state: 5)
        for (tA, tB) in [(false, false), (true, false), (false, true), (true, true)] {
            let (m, n, k) = (17, 23, 70)
            let lda = (tA ? m : k) + 1, ldb = (tB ? k : n) + 2, ldc = n + 3
            let a = (0 ..< (tA ? k : m) * lda).map { _ in Double(rng.float()) }
            let b = (0 ..< (tB ? n : k) * ldb).map { _ in Double(rng.float()) }
            let c0 = (0 ..< m * ldc).map { _ in Double(rng.float()) }
            for beta in [0.0, 0.5] {
                var c = beta == 0 ? [Double](repeating: .nan, count: m * ldc) : c0
                dgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: &c, ldc: ldc)
                for i in 0 ..< m {
                    for j in 0 ..< n {
                        var s = 0.0
                        for p in 0 ..< k {
                            s += (tA ? a[p * lda + i] : a[i * lda + p]) * (tB ? b[j * ldb + p] : b[p * ldb + j])
                        }
                        let want = 1.5 * s + beta * c0[i * ldc + j]
                        XCTAssertEqual(c[i * ldc + j], want, accuracy: 1e-12)
                    }
                }
            }
        }
    }

    func testParallelFor() {
        for threads in [1, 2] {
            Threading.maxThreads = threads
            let out = UnsafeMutablePointer<Int>.allocate(capacity: 1000)
            defer { out.deallocate() }
            out.initialize(repeating: 0, count: 1000)
            let p = UncheckedSendable(out)
            parallelFor(count: 1000, minGrain: 10) { r in
                for i in r { p.value[i] += i }
            }
            for i in 0 ..< 1000 { XCTAssertEqual(out[i], i) }
            var hits = [Int](repeating: 0, count: 37)
            hits.withUnsafeMutableBufferPointer { h in
                let hp = UncheckedSendable(h.baseAddress!)
                parallelTasks(37) { t in hp.value[t] += 1 }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: 37))
        }
        Threading.maxThreads = 1000
        XCTAssertEqual(Threading.maxThreads, Threading.availableCores)
    }

    func testAdamMatchesReference() {
        var rng = Rng(state: 6)
        let n = 1003
        let g = (0 ..< n).map { _ in rng.float() }
        let p0 = (0 ..< n).map { _ in rng.float() }
        let m0 = (0 ..< n).map { _ in rng.float() * 0.1 }
        let v0 = (0 ..< n).map { _ in abs(rng.float()) * 0.01 }
        let (b1, b2, lr, eps): (Float, Float, Float, Float) = (0.9, 0.999, 1e-3, 1e-8)
        let t: Float = 3
        let bc1 = 1 - Float(pow(Double(b1), Double(t))), bc2 = 1 - Float(pow(Double(b2), Double(t)))
        for (wd, scale) in [(Float(0), Float(1)), (0.01, 1), (0, 1 - lr * 0.01)] {
            var pr = p0, mr = m0, vr = v0, pv = p0, mv = m0, vv = v0
            ember_adam_f32_ref(n, &pr, g, &mr, &vr, b1, b2, lr / bc1, bc2.squareRoot(), eps, wd, scale)
            ember_adam_f32_avx2(n, &pv, g, &mv, &vv, b1, b2, lr / bc1, bc2.squareRoot(), eps, wd, scale)
            // Formula check in Double.
            for i in 0 ..< n {
                let pp = Double(p0[i]) * Double(scale)
                let gi = Double(g[i]) + Double(wd) * pp
                let mi = Double(b1) * Double(m0[i]) + (1 - Double(b1)) * gi
                let vi = Double(b2) * Double(v0[i]) + (1 - Double(b2)) * gi * gi
                let want = pp - Double(lr / bc1) * mi / (vi.squareRoot() / Double(bc2).squareRoot() + Double(eps))
                XCTAssertEqual(Double(pr[i]), want, accuracy: 1e-5 * max(1, abs(want)))
                XCTAssertEqual(Double(mr[i]), mi, accuracy: 1e-6)
                XCTAssertEqual(Double(vr[i]), vi, accuracy: 1e-6)
            }
            if KernelISA.detected >= .avx2 {
                XCTAssertEqual(pr, pv)
                XCTAssertEqual(mr, mv)
                XCTAssertEqual(vr, vv)
            }
        }
    }

    func testVectorMath() {
        guard KernelISA.detected >= .avx2 else { return }
        var x: [Float] = [0, -0.0, 1e-30, -1e-7, 1e-4, 0.3, -0.6249, 0.625, 1, -2.5, 9, -9.5, 20,
                          80, 88.5, 88.8, -87, -100, -120, .infinity, -.infinity]
        var rng = Rng(state: 7)
        for _ in 0 ..< 4000 { x.append(rng.float() * 30) }
        for _ in 0 ..< 1000 { x.append(rng.float() * 0.7) }
        var y = [Float](repeating: 0, count: x.count)
        func maxUlps(_ f: (Double) -> Double) -> Double {
            var worst = 0.0
            for i in x.indices {
                let want = f(Double(x[i]))
                let w = Float(want)
                if w.isInfinite || w == 0 || !w.isNormal {
                    XCTAssertTrue(y[i] == w || abs(Double(y[i]) - want) <= 1e-38, "f(\(x[i])) = \(y[i]), want \(want)")
                    continue
                }
                worst = max(worst, abs(Double(y[i]) - want) / Double(w.ulp))
            }
            return worst
        }
        ember_exp_f32_avx2(x.count, x, &y)
        XCTAssertLessThanOrEqual(maxUlps { Foundation.exp($0) }, 3)
        ember_sigmoid_f32_avx2(x.count, x, &y)
        XCTAssertLessThanOrEqual(maxUlps { 1 / (1 + Foundation.exp(-$0)) }, 4)
        ember_tanh_f32_avx2(x.count, x, &y)
        XCTAssertLessThanOrEqual(maxUlps { Foundation.tanh($0) }, 4)
        var nan: [Float] = [.nan]
        ember_exp_f32_avx2(1, nan, &nan)
        XCTAssertTrue(nan[0].isNaN)
    }

    /// Several threads calling sgemm at once (one gets the worker pool, the others run inline),
    /// and parallel regions nested inside parallel regions.
    func testConcurrentCallers() {
        Threading.maxThreads = 2
        GEMMTuning.minParallelWork = 0
        let (m, n, k) = (70, 90, 50)
        var rng = Rng(state: 8)
        let a = (0 ..< m * k).map { _ in rng.float() }
        let b = (0 ..< k * n).map { _ in rng.float() }
        var want = [Float](repeating: 0, count: m * n)
        sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b,
              ldb: n, beta: 0, c: &want, ldc: n)
        let results = UnsafeMutablePointer<Float>.allocate(capacity: 8 * m * n)
        defer { results.deallocate() }
        let shared = UncheckedSendable((a, b, results))
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let (a, b, r) = shared.value
            for _ in 0 ..< 20 {
                sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k,
                      b: b, ldb: n, beta: 0, c: r + i * m * n, ldc: n)
            }
        }
        for i in 0 ..< 8 {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: results + i * m * n, count: m * n)), want)
        }
        // Nested: sgemm inside a parallel region runs inline and stays correct.
        let out = UncheckedSendable(results)
        let ab = UncheckedSendable((a, b))
        parallelTasks(4) { t in
            let (a, b) = ab.value
            sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k,
                  b: b, ldb: n, beta: 0, c: out.value + t * m * n, ldc: n)
        }
        for i in 0 ..< 4 {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: results + i * m * n, count: m * n)), want)
        }
    }

    /// Many back-to-back tiny regions: a late worker must never run a task of a finished region
    /// or run a task twice.
    func testPoolStress() {
        Threading.maxThreads = 2
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 3)
        defer { counts.deallocate() }
        let p = UncheckedSendable(counts)
        let workerRan = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        defer { workerRan.deallocate() }
        workerRan.pointee = 0
        let w = UncheckedSendable(workerRan)
        let caller = pthread_self()
        for region in 0 ..< 50_000 {
            counts.initialize(repeating: 0, count: 3)
            let tasks = 2 + region % 2
            parallelTasks(tasks) { t in
                // A little work so that both threads get to claim tasks.
                var x = 0
                for i in 0 ..< (region % 7) * 20 { x &+= i }
                if pthread_equal(pthread_self(), caller) == 0 { w.value.pointee &+= 1 + (x & 0) }
                p.value[t] += 1
            }
            for t in 0 ..< tasks where counts[t] != 1 {
                XCTFail("region \(region): task \(t) ran \(counts[t]) times")
                return
            }
        }
        if Threading.availableCores > 1 { print("testPoolStress: \(workerRan.pointee) tasks ran on the worker") }
    }
}
