import XCTest
@testable import Ember

/// Central-difference gradient check in Float64.
///
/// Builds `loss = Σ f(inputs) ⊙ upstream` for a fixed random upstream, computes the analytic
/// gradients with `backward()` and compares each with (loss(x + h) - loss(x - h)) / 2h.
func gradCheck(_ name: String, _ inputs: [Tensor], h: Double = 1e-6, atol: Double = 1e-6, rtol: Double = 1e-5,
               file: StaticString = #filePath, line: UInt = #line, _ f: ([Tensor]) -> Tensor) {
    for x in inputs { XCTAssertEqual(x.dtype, .float64, "\(name): gradCheck needs float64 inputs", file: file, line: line) }
    let probe = withNoGrad { f(inputs) }
    let upstream = Tensor.uniform(probe.shape, low: -1, high: 1, dtype: .float64, generator: Generator(seed: 99))
    func loss() -> Double { withNoGrad { (f(inputs) * upstream).sum().doubleItem() } }

    for x in inputs where x.requiresGrad { x.grad = nil }
    (f(inputs) * upstream).sum().backward()
    for (k, x) in inputs.enumerated() where x.requiresGrad {
        guard let analytic = x.grad?.toDoubleArray() else {
            XCTFail("\(name): input \(k) got no gradient", file: file, line: line); continue
        }
        XCTAssertEqual(x.grad!.shape, x.shape, "\(name): gradient shape of input \(k)", file: file, line: line)
        // Perturb through the underlying storage (the input may be a strided view).
        let base = x.storage.pointer(Double.self)
        var positions: [Int] = []
        forEachRow(shape: x.shape, stridesA: x.strides, stridesB: x.strides) { _, a, _, n, sa, _ in
            for i in 0..<n { positions.append(x.offset + a + i * sa) }
        }
        var worst = 0.0
        for (i, p) in positions.enumerated() {
            let old = base[p]
            base[p] = old + h; let plus = loss()
            base[p] = old - h; let minus = loss()
            base[p] = old
            let numeric = (plus - minus) / (2 * h)
            let err = Swift.abs(numeric - analytic[i])
            worst = Swift.max(worst, err)
            if err > atol + rtol * Swift.abs(numeric) {
                XCTFail("\(name): input \(k) element \(i): analytic \(analytic[i]) vs numeric \(numeric)", file: file, line: line)
                return
            }
        }
    }
}

/// A float64 leaf with uniform values in [lo, hi), requiring grad.
func leaf(_ shape: [Int], _ lo: Double = -1, _ hi: Double = 1, seed: UInt64 = 1) -> Tensor {
    Tensor.uniform(shape, low: lo, high: hi, dtype: .float64, generator: Generator(seed: seed), requiresGrad: true)
}

func assertClose(_ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-5, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(message): counts differ", file: file, line: line)
    for i in 0..<Swift.min(a.count, b.count) {
        let tol = atol + rtol * Swift.abs(b[i])
        if !(Swift.abs(a[i] - b[i]) <= tol) && !(a[i].isNaN && b[i].isNaN) && a[i] != b[i] {
            XCTFail("\(message): element \(i): \(a[i]) vs expected \(b[i])", file: file, line: line)
            return
        }
    }
}

func assertClose(_ a: [Double], _ b: [Double], atol: Double = 1e-10, rtol: Double = 1e-10, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(message): counts differ", file: file, line: line)
    for i in 0..<Swift.min(a.count, b.count) where !(Swift.abs(a[i] - b[i]) <= atol + rtol * Swift.abs(b[i])) {
        XCTFail("\(message): element \(i): \(a[i]) vs expected \(b[i])", file: file, line: line)
        return
    }
}
