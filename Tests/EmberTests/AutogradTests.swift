import XCTest
@testable import Ember

final class AutogradTests: XCTestCase {
    func testGradientsAccumulateUntilZeroed() {
        let w = Tensor([1, 2, 3], requiresGrad: true)
        (w * w).sum().backward()
        XCTAssertEqual(w.grad!.toArray(), [2, 4, 6])
        (w * 3).sum().backward()
        XCTAssertEqual(w.grad!.toArray(), [5, 7, 9])
        w.grad = nil
        w.sum().backward()
        XCTAssertEqual(w.grad!.toArray(), [1, 1, 1])
    }

    func testBackwardWithExplicitGradient() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = x * x
        y.backward(gradient: Tensor([0.5, -1]))
        XCTAssertEqual(x.grad!.toArray(), [1, -4])
    }

    func testRetainGraphAllowsSecondBackward() {
        let x = Tensor([2], requiresGrad: true)
        let y = (x * x * x).sum()
        y.backward(retainGraph: true)
        y.backward()
        XCTAssertEqual(x.grad!.toArray(), [24])  // 2 · 3x²
    }

    func testSecondBackwardThroughReleasedGraphStops() {
        assertStops("EmberTests.AutogradTests/testDeathSecondBackward", with: "backward through the graph a second time")
    }

    func testDeathSecondBackward() {
        guard isDeathTestChild else { return }
        let x = Tensor([2], requiresGrad: true)
        let y = (x.exp() * 3).sum()
        y.backward()
        y.backward()
    }

    func testInPlaceModificationOfSavedTensorStops() {
        assertStops("EmberTests.AutogradTests/testDeathInPlace", with: "modified by an in-place operation")
    }

    func testDeathInPlace() {
        guard isDeathTestChild else { return }
        let w = Tensor([1, 2], requiresGrad: true)
        let x = Tensor([3, 4], requiresGrad: true)
        let y = (w * x).sum()
        withNoGrad { w.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 5 } }  // like optimizer.step()
        y.backward()
    }

    func testShapeMismatchNamesOpAndShapes() {
        assertStops("EmberTests.AutogradTests/testDeathMatmulShapes", with: "matmul: [128, 784] x [100, 1024]: inner dimensions 784 and 100 differ")
        assertStops("EmberTests.AutogradTests/testDeathBroadcast", with: "add: shapes [2, 3] and [4] cannot be broadcast")
    }

    func testDeathMatmulShapes() {
        guard isDeathTestChild else { return }
        _ = Tensor.zeros([128, 784]).matmul(Tensor.zeros([100, 1024]))
    }

    func testDeathBroadcast() {
        guard isDeathTestChild else { return }
        _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
    }

    func testAnomalyModeNamesTheOp() {
        assertStops("EmberTests.AutogradTests/testDeathAnomalyForward", with: "the forward of log produced NaN or Inf")
        assertStops("EmberTests.AutogradTests/testDeathAnomalyBackward", with: "the backward of sqrt produced NaN or Inf")
    }

    func testDeathAnomalyForward() {
        guard isDeathTestChild else { return }
        Autograd.detectAnomaly = true
        let x = Tensor([1, -1], requiresGrad: true)
        _ = (x * 2).log()
    }

    func testDeathAnomalyBackward() {
        guard isDeathTestChild else { return }
        Autograd.detectAnomaly = true
        let x = Tensor([0, 1], requiresGrad: true)
        x.sqrt().sum().backward()
    }

    func testNoGradAndDetach() {
        let x = Tensor([1, 2], requiresGrad: true)
        let y = withNoGrad { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        let z = (x * 2).detach()
        XCTAssertFalse(z.requiresGrad)
        XCTAssertTrue(z.isLeaf)
        XCTAssertTrue(Autograd.isGradEnabled)
        let w = x * 2
        XCTAssertTrue(w.requiresGrad)
        XCTAssertEqual(w.gradFunctionName, "mul")
    }

    func testRetainGradOnIntermediate() {
        let x = Tensor([1, 2], requiresGrad: true)
        let h = x * 3
        h.retainGrad()
        (h * h).sum().backward()
        XCTAssertEqual(h.grad!.toArray(), [6, 12])
        XCTAssertEqual(x.grad!.toArray(), [18, 36])
    }

    func testMillionOpChainReleasesWithoutStackOverflow() {
        let x = Tensor([1], requiresGrad: true)
        var y = x
        for _ in 0..<1_000_000 { y = y + 1 }
        y = Tensor([0])  // drop the whole graph without backward
        XCTAssertEqual(y.toArray(), [0])
        var z = x
        for _ in 0..<1_000_000 { z = z * 1 }
        z.sum().backward()
        XCTAssertEqual(x.grad!.toArray(), [1])
    }

    func testSecondDerivative() {
        let x = Tensor([0.5, 2], dtype: .float64, requiresGrad: true)
        let y = (x * x * x).sum()
        let g = gradients(of: y, withRespectTo: [x], createGraph: true)[0]!
        assertClose(g.toDoubleArray(), [0.75, 12])  // 3x²
        g.sum().backward()
        assertClose(x.grad!.toDoubleArray(), [3, 12])  // 6x
    }

    func testSecondDerivativesOfActivations() {
        // d²/dx² of the sum of each function, checked against finite differences of the first derivative.
        let fns: [(String, (Tensor) -> Tensor)] = [
            ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }), ("sqrt", { ($0 * $0 + 1).sqrt() }),
            ("pow", { ($0 * $0 + 1).pow(1.5) }), ("leakyRelu", { $0.leakyRelu(negativeSlope: 0.2) * $0 }),
            ("mean", { ($0 * $0).mean() * 3 }), ("exp log", { ($0.exp() + 1).log() }),
        ]
        for (name, f) in fns {
            gradCheck("second derivative of \(name)", [leaf([5], -1.5, 1.5)]) { xs in
                withGradEnabled(true) {
                    let x = xs[0]
                    return gradients(of: f(x).sum(), withRespectTo: [x], createGraph: true)[0]!
                }
            }
        }
    }

    func testWGANGradientPenaltyGradientMatchesFiniteDifferences() {
        // critic: linear -> leakyRelu -> linear -> tanh -> linear -> sigmoid
        let w1 = leaf([6, 4], seed: 11), b1 = leaf([6], seed: 12)
        let w2 = leaf([5, 6], seed: 13), w3 = leaf([1, 5], seed: 14)
        let xHat = Tensor.uniform([3, 4], low: -1, high: 1, dtype: .float64, generator: Generator(seed: 15))
        gradCheck("gradient penalty", [w1, b1, w2, w3], atol: 1e-6, rtol: 1e-4) { p in
            withGradEnabled(true) {
                let x = xHat.detach().requiringGrad()
                let h = linear(x, weight: p[0], bias: p[1]).leakyRelu(negativeSlope: 0.2)
                let d = linear(linear(h, weight: p[2]).tanh(), weight: p[3]).sigmoid()
                let g = gradients(of: d.sum(), withRespectTo: [x], createGraph: true)[0]!
                return (g.square().sum(dim: 1).sqrt() - 1).square().mean()
            }
        }
    }

    func testOpWithoutSecondDerivativeIsDifferentiableAtFirstOrder() {
        let x = Tensor([1, -2, 3], requiresGrad: true)
        XCTAssertEqual(x.relu().sum().requiresGrad, true)
    }
}
