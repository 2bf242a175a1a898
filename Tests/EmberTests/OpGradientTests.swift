import XCTest
@testable import Ember

/// Finite-difference checks of every differentiable op, with broadcasting and strided inputs.
final class OpGradientTests: XCTestCase {
    func testBinaryOpsWithBroadcasting() {
        let a = leaf([2, 3, 4]), b = leaf([3, 1], seed: 2), c = leaf([4], 0.5, 2, seed: 3)
        gradCheck("add", [a, b]) { $0[0] + $0[1] }
        gradCheck("sub", [a, b]) { $0[0] - $0[1] }
        gradCheck("mul", [a, c]) { $0[0] * $0[1] }
        gradCheck("div", [a, c]) { $0[0] / $0[1] }
        gradCheck("pow tensor", [leaf([3, 4], 0.5, 2, seed: 4), leaf([4], -1, 2, seed: 5)]) { $0[0].pow($0[1]) }
        gradCheck("maximum", [a, b]) { $0[0].maximum($0[1]) }
        gradCheck("minimum", [a, b]) { $0[0].minimum($0[1]) }
    }

    func testScalarOps() {
        let a = leaf([3, 5], 0.5, 2)
        gradCheck("scalar ops", [a]) { ((($0[0] + 2) * 3 - 1) / 4) }
        gradCheck("rsub rdiv", [a]) { (1 - $0[0]) + 2 / $0[0] }
        gradCheck("neg", [a]) { -$0[0] }
    }

    func testNonContiguousInputs() {
        let a = leaf([4, 3]), b = leaf([3, 4], seed: 2)
        gradCheck("transposed add", [a, b]) { $0[0].T * $0[1] }
        gradCheck("strided slice", [a]) { $0[0].slice(dim: 0, start: 1, end: 4, step: 2).exp() }
        gradCheck("expand", [leaf([3, 1])]) { $0[0].expand([3, 5]).sin() }
        gradCheck("permute", [leaf([2, 3, 4])]) { $0[0].permute([2, 0, 1]).square().reshape([4, 6]) }
    }

    func testUnaryMath() {
        let p = leaf([3, 4], 0.3, 2)
        let x = leaf([3, 4], -2, 2)
        gradCheck("exp", [x]) { $0[0].exp() }
        gradCheck("log", [p]) { $0[0].log() }
        gradCheck("sqrt", [p]) { $0[0].sqrt() }
        gradCheck("rsqrt", [p]) { $0[0].rsqrt() }
        gradCheck("abs", [x]) { $0[0].abs() }
        gradCheck("square", [x]) { $0[0].square() }
        gradCheck("pow scalar", [p]) { $0[0].pow(2.5) }
        gradCheck("pow negative", [p]) { $0[0].pow(-1.5) }
        gradCheck("clamp", [x]) { $0[0].clamp(min: -0.5, max: 0.7) }
        gradCheck("sin cos", [x]) { $0[0].sin() + $0[0].cos() }
    }

    func testActivations() {
        let x = leaf([4, 5], -3, 3)
        gradCheck("relu", [x]) { $0[0].relu() }
        gradCheck("leakyRelu", [x]) { $0[0].leakyRelu(negativeSlope: 0.2) }
        gradCheck("sigmoid", [x]) { $0[0].sigmoid() }
        gradCheck("tanh", [x]) { $0[0].tanh() }
        gradCheck("softplus", [x]) { $0[0].softplus(beta: 2, threshold: 3) }
        gradCheck("elu", [x]) { $0[0].elu(alpha: 1.5) }
        gradCheck("gelu", [x]) { $0[0].gelu() }
        gradCheck("gelu tanh", [x]) { $0[0].gelu(approximate: true) }
        gradCheck("softmax", [x]) { $0[0].softmax(dim: 1) }
        gradCheck("softmax dim0", [x]) { $0[0].softmax(dim: 0) }
        gradCheck("logSoftmax", [x]) { $0[0].logSoftmax(dim: -1) }
    }

    func testReductions() {
        let x = leaf([3, 4, 5])
        gradCheck("sum all", [x]) { $0[0].sum() }
        gradCheck("sum dims", [x]) { $0[0].sum(dims: [0, 2]) }
        gradCheck("sum keepDim", [x]) { $0[0].sum(dim: 1, keepDim: true) }
        gradCheck("mean", [x]) { $0[0].mean(dims: [1, 2]) }
        gradCheck("var", [x]) { $0[0].variance(dim: 2) }
        gradCheck("var biased", [x]) { $0[0].variance(dims: [0, 2], correction: 0, keepDim: true) }
        gradCheck("std", [x]) { $0[0].std(dim: 1) }
        gradCheck("max dim", [x]) { $0[0].max(dim: 1) }
        gradCheck("min all", [x]) { $0[0].min() }
        gradCheck("sum of transposed", [x]) { $0[0].transposed(0, 2).sum(dim: 0) }
    }

    func testMatmulAndLinear() {
        gradCheck("matmul 2d", [leaf([3, 4]), leaf([4, 5], seed: 2)]) { $0[0].matmul($0[1]) }
        gradCheck("matmul transposed operands", [leaf([4, 3]), leaf([5, 4], seed: 2)]) { $0[0].T.matmul($0[1].T) }
        gradCheck("matmul batched broadcast", [leaf([2, 3, 4]), leaf([4, 2], seed: 2)]) { $0[0].matmul($0[1]) }
        gradCheck("matmul batched", [leaf([2, 3, 4]), leaf([2, 4, 2], seed: 2)]) { $0[0].matmul($0[1]) }
        gradCheck("matmul vector", [leaf([3, 4]), leaf([4], seed: 2)]) { $0[0].matmul($0[1]) }
        gradCheck("linear", [leaf([5, 4]), leaf([3, 4], seed: 2), leaf([3], seed: 3)]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        gradCheck("linear 3d no bias", [leaf([2, 5, 4]), leaf([3, 4], seed: 2)]) { linear($0[0], weight: $0[1]) }
    }

    func testShapeOps() {
        let x = leaf([2, 3, 4])
        gradCheck("reshape", [x]) { $0[0].reshape([4, -1]).exp() }
        gradCheck("flatten", [x]) { $0[0].flatten(startDim: 1).square() }
        gradCheck("unsqueeze squeeze", [x]) { $0[0].unsqueeze(1).exp().squeeze(1) }
        gradCheck("select", [x]) { $0[0].select(dim: 1, index: 2).square() }
        gradCheck("subscript", [x]) { $0[0][1, .r(1..<3)].square() }
        gradCheck("cat", [x, leaf([2, 2, 4], seed: 2)]) { cat([$0[0], $0[1].exp()], dim: 1) }
        gradCheck("stack", [leaf([3, 4]), leaf([3, 4], seed: 2)]) { stack([$0[0], $0[1].square()], dim: 1) }
        gradCheck("split", [x]) { let parts = $0[0].split(size: 2, dim: 2); return parts[0] * parts[1] }
        gradCheck("chunk", [x]) { let parts = $0[0].chunk(3, dim: 1); return parts[0] - parts[2].exp() }
        gradCheck("where", [leaf([3, 4]), leaf([4], seed: 2)]) { x in
            `where`(x[0].detach().gt(0), x[0], x[1])
        }
    }

    func testLosses() {
        let x = leaf([4, 3]), y = leaf([4, 3], seed: 2)
        let p = leaf([4, 3], 0.05, 0.95), t = Tensor.bernoulli([4, 3], p: 0.5, dtype: .float64, generator: Generator(seed: 7))
        for r in [Reduction.mean, .sum, .none] {
            gradCheck("mse \(r)", [x, y]) { mseLoss($0[0], $0[1], reduction: r) }
            gradCheck("l1 \(r)", [x, y]) { l1Loss($0[0], $0[1], reduction: r) }
            gradCheck("bce \(r)", [p]) { binaryCrossEntropy($0[0], t, reduction: r) }
            gradCheck("bce logits \(r)", [x]) { binaryCrossEntropyWithLogits($0[0], t, reduction: r) }
            gradCheck("bce logits posWeight \(r)", [x]) { binaryCrossEntropyWithLogits($0[0], t, posWeight: Tensor([2.0, 0.5, 1.0], dtype: .float64), reduction: r) }
            let labels = Tensor(indices: [0, 2, 1, 2])
            gradCheck("crossEntropy \(r)", [x]) { crossEntropy($0[0], labels, reduction: r) }
            gradCheck("nll \(r)", [x]) { nllLoss($0[0].logSoftmax(dim: 1), labels, reduction: r) }
        }
        let soft = Tensor([0.2, 0.3, 0.5, 1, 0, 0, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4], shape: [4, 3], dtype: .float64)
        gradCheck("crossEntropy probabilities", [x]) { crossEntropy($0[0], soft) }
        gradCheck("bce target grad", [leaf([5], 0.1, 0.9), leaf([5], 0, 1, seed: 3)]) { binaryCrossEntropy($0[0], $0[1]) }
    }

    func testDropoutGradientUsesTheSameMask() {
        let x = leaf([50])
        let g = Generator(seed: 3)
        let y = dropout(x, p: 0.4, training: true, generator: g)
        y.sum().backward()
        let out = y.toDoubleArray(), xs = x.toDoubleArray(), grad = x.grad!.toDoubleArray()
        for i in 0..<50 {
            if out[i] == 0 { XCTAssertEqual(grad[i], 0) } else {
                XCTAssertEqual(grad[i], 1 / 0.6, accuracy: 1e-12)
                XCTAssertEqual(out[i], xs[i] / 0.6, accuracy: 1e-12)
            }
        }
    }
}
