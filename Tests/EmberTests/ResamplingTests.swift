import XCTest
@testable import Ember

/// interpolate (nearest, bilinear) and embedding: finite differences and exact small examples.
final class ResamplingTests: XCTestCase {
    func testTwoByTwoExamples() {
        // REFERENCE-FACTS 1.2: [[0, 1], [2, 3]] scaled by 2.
        let x = Tensor([0, 1, 2, 3], shape: [1, 1, 2, 2])
        XCTAssertEqual(interpolate(x, scaleFactor: [2]).toArray(),
                       [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3])
        let b = interpolate(x, scaleFactor: [2], mode: .bilinear, alignCorners: false).toArray()
        XCTAssertEqual(Array(b[0..<8]), [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5])
    }

    func testScaleFactorSetsTheSourceScale() {
        // 5 rows × 1.7 = 8 rows; src = ⌊dst / 1.7⌋, not ⌊dst · 5/8⌋.
        XCTAssertEqual(nearestIndices(input: 5, output: 8, scaleFactor: 1.7), [0, 0, 1, 1, 2, 2, 3, 4])
        XCTAssertEqual(nearestIndices(input: 5, output: 8, scaleFactor: nil), [0, 0, 1, 1, 2, 3, 3, 4])
    }

    func testInterpolateGradients() {
        let x = leaf([1, 2, 3, 4])
        gradCheck("nearest x2", [x]) { interpolate($0[0], scaleFactor: [2]) }
        gradCheck("nearest size 5x7", [x]) { interpolate($0[0], size: [5, 7]) }
        gradCheck("nearest x1.7", [leaf([1, 1, 5, 4], seed: 2)]) { interpolate($0[0], scaleFactor: [1.7]) }
        gradCheck("nearest down", [leaf([2, 1, 5, 7], seed: 3)]) { interpolate($0[0], size: [2, 3]) }
        for align in [false, true] {
            gradCheck("bilinear x2 align \(align)", [x]) { interpolate($0[0], scaleFactor: [2], mode: .bilinear, alignCorners: align) }
            gradCheck("bilinear size 5x7 align \(align)", [x]) { interpolate($0[0], size: [5, 7], mode: .bilinear, alignCorners: align) }
        }
        gradCheck("bilinear x1.5", [leaf([1, 1, 3, 4], seed: 4)]) { interpolate($0[0], scaleFactor: [1.5], mode: .bilinear) }
        gradCheck("bilinear down 2x3", [leaf([1, 1, 5, 7], seed: 5)]) { interpolate($0[0], size: [2, 3], mode: .bilinear) }
        gradCheck("bilinear rect factors", [leaf([1, 2, 3, 3], seed: 6)]) { interpolate($0[0], scaleFactor: [2, 1.5], mode: .bilinear) }
        gradCheck("bilinear strided input", [leaf([1, 4, 3, 2], seed: 7)]) {
            interpolate($0[0].permute([0, 3, 1, 2]), scaleFactor: [2], mode: .bilinear, alignCorners: true)
        }
    }

    func testInterpolateSecondDerivatives() {
        gradCheck("bilinear double backward", [leaf([1, 1, 3, 4])]) { t in withGradEnabled(true) {
            let y = interpolate(t[0], scaleFactor: [2], mode: .bilinear).tanh()
            return gradients(of: y.sum(), withRespectTo: [t[0]], createGraph: true)[0]!
        } }
    }

    func testEmbeddingGradients() {
        let idx = Tensor(indices: [1, 0, 3, 1, 4, 0], shape: [2, 3])
        gradCheck("embedding", [leaf([5, 3])]) { embedding(idx, weight: $0[0]) }
        // The padding row's output still depends on it, but by design (PyTorch's) it gets no gradient.
        let w = leaf([5, 3])
        embedding(idx, weight: w, paddingIndex: -5).sum().backward()
        XCTAssertEqual(Array(w.grad!.toArray()[0..<3]), [0, 0, 0])
        XCTAssertEqual(Array(w.grad!.toArray()[3..<6]), [2, 2, 2])
        XCTAssertEqual(embedding(Tensor(indices: [2]), weight: w).toArray(), Array(w.toArray()[6..<9]))
    }

    func testErrorMessages() {
        assertStops("EmberTests.ResamplingTests/testDeathEmbeddingIndex", with: "embedding: index 5 out of range for a table of 5 rows")
        assertStops("EmberTests.ResamplingTests/testDeathNearestAlign", with: "alignCorners can only be set with the interpolating modes")
    }

    func testDeathEmbeddingIndex() {
        guard isDeathTestChild else { return }
        _ = embedding(Tensor(indices: [5]), weight: Tensor.zeros([5, 2]))
    }

    func testDeathNearestAlign() {
        guard isDeathTestChild else { return }
        _ = interpolate(Tensor.zeros([1, 1, 2, 2]), scaleFactor: [2], alignCorners: true)
    }
}
