import XCTest
@testable import Ember

/// maxPool2d, avgPool2d, adaptiveAvgPool2d: finite differences for every variant of layers.json.
final class PoolingTests: XCTestCase {
    func testMaxPoolGradients() {
        let x = leaf([2, 2, 7, 9])
        gradCheck("max k2 s2 floor", [x]) { maxPool2d($0[0], kernelSize: [2], stride: [2]) }
        gradCheck("max k3 s2 p1", [x]) { maxPool2d($0[0], kernelSize: [3, 3], stride: [2, 2], padding: [1, 1]) }
        gradCheck("max k2 s2 ceil", [x]) { maxPool2d($0[0], kernelSize: [2], stride: [2], ceilMode: true) }
        gradCheck("max k3 s2 ceil", [leaf([1, 1, 8, 8], seed: 2)]) { maxPool2d($0[0], kernelSize: [3], stride: [2], ceilMode: true) }
        gradCheck("max default stride", [leaf([1, 1, 5, 5], seed: 3)]) { maxPool2d($0[0], kernelSize: [2]) }
        gradCheck("max k2 s1 overlapping", [leaf([1, 1, 5, 5], seed: 4)]) { maxPool2d($0[0], kernelSize: [2], stride: [1]) }
        gradCheck("max dilation 2", [x]) { maxPool2d($0[0], kernelSize: [2, 3], stride: [1, 2], padding: [1, 1], dilation: [2, 2]) }
        gradCheck("max unbatched", [leaf([2, 5, 6], seed: 5)]) { maxPool2d($0[0], kernelSize: [2]) }
        gradCheck("max strided input", [leaf([2, 6, 5, 3], seed: 6)]) { maxPool2d($0[0].permute([0, 3, 1, 2]), kernelSize: [2]) }
    }

    func testMaxPoolTiesPickTheFirstMaximum() {
        let x = Tensor([1, 3, 3, 2,
                        3, 0, 1, 3,
                        2, 2, 2, 2], shape: [1, 1, 3, 4], requiresGrad: true)
        let (y, idx) = maxPool2dWithIndices(x, kernelSize: [2], stride: [1])
        XCTAssertEqual(y.toArray(), [3, 3, 3, 3, 2, 3])
        XCTAssertEqual(idx.toIntArray(), [1, 1, 2, 4, 9, 7])
        y.sum().backward()
        XCTAssertEqual(x.grad!.toArray(), [0, 2, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0])
    }

    func testMaxPoolPropagatesNaN() {
        // PyTorch: every NaN replaces the running maximum, so the last NaN of the window wins.
        let x = Tensor([1, .nan, 5, .nan], shape: [1, 1, 2, 2])
        let (y, idx) = maxPool2dWithIndices(x, kernelSize: [2])
        XCTAssertTrue(y.toArray()[0].isNaN)
        XCTAssertEqual(idx.toIntArray(), [3])
        XCTAssertEqual(maxPool2d(Tensor([-Double.infinity, -Double.infinity], shape: [1, 1, 1, 2]), kernelSize: [1, 2]).toArray(), [-.infinity])
    }

    func testAvgPoolGradients() {
        let x = leaf([1, 2, 7, 9])
        gradCheck("avg k2", [leaf([1, 2, 6, 7], seed: 2)]) { avgPool2d($0[0], kernelSize: [2]) }
        gradCheck("avg k3 s2 p1 include pad", [x]) { avgPool2d($0[0], kernelSize: [3], stride: [2], padding: [1]) }
        gradCheck("avg k3 s2 p1 exclude pad", [x]) { avgPool2d($0[0], kernelSize: [3], stride: [2], padding: [1], countIncludePad: false) }
        gradCheck("avg k2 s2 ceil", [x]) { avgPool2d($0[0], kernelSize: [2], stride: [2], ceilMode: true) }
        let y = leaf([1, 1, 6, 8], seed: 3)
        gradCheck("avg k3 s2 p1 ceil include", [y]) { avgPool2d($0[0], kernelSize: [3], stride: [2], padding: [1], ceilMode: true) }
        gradCheck("avg k3 s2 p1 ceil exclude", [y]) {
            avgPool2d($0[0], kernelSize: [3], stride: [2], padding: [1], ceilMode: true, countIncludePad: false)
        }
        gradCheck("avg divisor override", [y]) { avgPool2d($0[0], kernelSize: [2, 3], divisorOverride: 4) }
    }

    func testAdaptiveAvgPoolGradients() {
        gradCheck("adaptive 7x7 -> 1x1", [leaf([1, 2, 7, 7])]) { adaptiveAvgPool2d($0[0], outputSize: [1, 1]) }
        gradCheck("adaptive 7x7 -> 3x3", [leaf([1, 2, 7, 7])]) { adaptiveAvgPool2d($0[0], outputSize: [3]) }
        gradCheck("adaptive 5x7 -> 1x1", [leaf([1, 2, 5, 7])]) { adaptiveAvgPool2d($0[0], outputSize: [1, 1]) }
        gradCheck("adaptive 5x7 -> 3x3", [leaf([1, 2, 5, 7])]) { adaptiveAvgPool2d($0[0], outputSize: [3, 3]) }
        gradCheck("adaptive upsampling 2x3 -> 5x4", [leaf([2, 1, 2, 3])]) { adaptiveAvgPool2d($0[0], outputSize: [5, 4]) }
    }

    func testAdaptiveBinsOverlap() {
        let x = Tensor((0..<7).map { Double($0) }, shape: [1, 1, 1, 7])
        // 7 -> 3: bins [0, 3), [2, 5), [4, 7)
        XCTAssertEqual(adaptiveAvgPool2d(x, outputSize: [1, 3]).toArray(), [1, 3, 5])
    }

    func testPoolingSecondDerivatives() {
        gradCheck("maxPool double backward", [leaf([1, 2, 5, 6])]) { t in withGradEnabled(true) {
            let y = maxPool2d(t[0], kernelSize: [2], stride: [2], ceilMode: true).tanh()
            return gradients(of: y.sum(), withRespectTo: [t[0]], createGraph: true)[0]!.square()
        } }
        gradCheck("avgPool double backward", [leaf([1, 2, 5, 6])]) { t in withGradEnabled(true) {
            let y = avgPool2d((t[0] * t[0]), kernelSize: [3], stride: [2], padding: [1]).sin()
            return gradients(of: y.sum(), withRespectTo: [t[0]], createGraph: true)[0]!
        } }
    }

    func testErrorMessages() {
        assertStops("EmberTests.PoolingTests/testDeathPadding", with: "maxPool2d: pad should be at most half of effective kernel size")
        assertStops("EmberTests.PoolingTests/testDeathTooSmall", with: "Output size is too small")
    }

    func testDeathPadding() {
        guard isDeathTestChild else { return }
        _ = maxPool2d(Tensor.zeros([1, 1, 5, 5]), kernelSize: [2], padding: [2])
    }

    func testDeathTooSmall() {
        guard isDeathTestChild else { return }
        _ = avgPool2d(Tensor.zeros([1, 1, 2, 2]), kernelSize: [3])
    }
}
