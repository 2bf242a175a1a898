import Foundation
import XCTest
@testable import Ember

/// clipGradNorm / clipGradValue with values worked out by hand.
final class OptimClipGradTests: XCTestCase {
    /// Parameters with gradients [3, 4] (norm 5) and [12] (norm 12): total 2-norm 13.
    func make() -> [Tensor] {
        let a = Tensor([0, 0], requiresGrad: true), b = Tensor([0], requiresGrad: true)
        a.grad = Tensor([3, 4]); b.grad = Tensor([12])
        return [a, b]
    }

    func testClipGradNormScalesAllGradientsTogether() {
        let ps = make()
        let total = clipGradNorm(ps, maxNorm: 6.5)
        XCTAssertEqual(total, 13, accuracy: 1e-12)
        let c = Float(6.5 / (13 + 1e-6))  // PyTorch: max_norm / (total + 1e-6)
        XCTAssertEqual(ps[0].grad!.toArray(), [3 * c, 4 * c])
        XCTAssertEqual(ps[1].grad!.toArray(), [12 * c])
        XCTAssertEqual(clipGradNorm(ps, maxNorm: 6.5), 6.5, accuracy: 1e-5, "now within the bound")
    }

    func testClipGradNormLeavesSmallGradientsAlone() {
        let ps = make()
        let g = ps[0].grad!
        XCTAssertEqual(clipGradNorm(ps, maxNorm: 20), 13, accuracy: 1e-12)
        XCTAssertTrue(ps[0].grad === g)
        XCTAssertEqual(ps[0].grad!.toArray(), [3, 4])
        XCTAssertEqual(ps[1].grad!.toArray(), [12])
    }

    func testOtherNormTypes() {
        XCTAssertEqual(clipGradNorm(make(), maxNorm: 100, normType: 1), 19, accuracy: 1e-12)            // 3 + 4 + 12
        XCTAssertEqual(clipGradNorm(make(), maxNorm: 100, normType: 3), pow(1819, 1.0 / 3), accuracy: 1e-12)  // 27 + 64 + 1728
        let ps = make()
        XCTAssertEqual(clipGradNorm(ps, maxNorm: 6, normType: .infinity), 12)                       // max |g|
        let c = Float(6 / (12 + 1e-6))
        XCTAssertEqual(ps[1].grad!.toArray(), [12 * c])
        XCTAssertEqual(ps[0].grad!.toArray(), [3 * c, 4 * c])
    }

    func testMissingGradientsAreIgnoredAndFloat64Works() {
        let none = Tensor([1], requiresGrad: true)
        XCTAssertEqual(clipGradNorm([none], maxNorm: 1), 0)
        let p = Tensor([0, 0], dtype: .float64, requiresGrad: true)
        p.grad = Tensor([6, 8], dtype: .float64)
        XCTAssertEqual(clipGradNorm([none, p], maxNorm: 5), 10)
        XCTAssertEqual(p.grad![element: [0]], 6 * 5 / (10 + 1e-6), accuracy: 1e-15)
        XCTAssertEqual(p.grad![element: [1]], 8 * 5 / (10 + 1e-6), accuracy: 1e-15)
        XCTAssertNil(none.grad)
    }

    func testNonFiniteNormPoisonsGradientsLikePyTorch() {
        let p = Tensor([0, 0], requiresGrad: true)
        p.grad = Tensor([Float.nan, 1])
        XCTAssertTrue(clipGradNorm([p], maxNorm: 1).isNaN)
        XCTAssertTrue(p.grad!.toArray().allSatisfy(\.isNaN))
    }

    func testClipGradValueClampsInPlace() {
        let p = Tensor([0, 0, 0, 0, 0], requiresGrad: true)
        p.grad = Tensor([-3, 0.5, 2, -0.25, Float.nan])
        let g = p.grad!
        clipGradValue([p], clipValue: 1)
        XCTAssertTrue(p.grad === g)
        let v = p.grad!.toArray()
        XCTAssertEqual(Array(v[0..<4]), [-1, 0.5, 1, -0.25])
        XCTAssertTrue(v[4].isNaN, "NaN stays NaN, as torch.clamp")
        let q = Tensor([0, 0], dtype: .float64, requiresGrad: true)
        q.grad = Tensor([5, 7, -5, 7], shape: [2, 2], dtype: .float64).select(dim: 1, index: 0)  // strided [5, -5]
        XCTAssertFalse(q.grad!.isContiguous)
        clipGradValue([q], clipValue: 0.5)
        XCTAssertEqual(q.grad!.toDoubleArray(), [0.5, -0.5])
    }
}
