import XCTest
@testable import Ember

/// conv2d and convTranspose2d: finite differences for every variant of layers.json, a direct
/// reference loop, second derivatives, and the error messages.
final class ConvolutionTests: XCTestCase {
    /// Direct definition of conv2d for comparison (float64, no GEMM).
    private func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, s: (Int, Int), pad: (Int, Int, Int, Int),
                           d: (Int, Int), groups: Int) -> [Double] {
        let xs = x.toDoubleArray(), ws = w.toDoubleArray(), bs = b?.toDoubleArray()
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, cig, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let oh = (h + pad.0 + pad.1 - d.0 * (kh - 1) - 1) / s.0 + 1
        let ow = (wd + pad.2 + pad.3 - d.1 * (kw - 1) - 1) / s.1 + 1
        let cog = co / groups
        var out = [Double](repeating: 0, count: n * co * oh * ow)
        for i in 0..<n { for o in 0..<co { for y in 0..<oh { for xx in 0..<ow {
            var acc = bs?[o] ?? 0
            for ci in 0..<cig { for a in 0..<kh { for bb in 0..<kw {
                let iy = y * s.0 - pad.0 + a * d.0, ix = xx * s.1 - pad.2 + bb * d.1
                if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
                let cin = (o / cog) * cig + ci
                acc += ws[((o * cig + ci) * kh + a) * kw + bb] * xs[((i * c + cin) * h + iy) * wd + ix]
            } } }
            out[((i * co + o) * oh + y) * ow + xx] = acc
        } } } }
        _ = c
        return out
    }

    func testConv2dMatchesDirectLoop() {
        let x = leaf([3, 4, 7, 6]), w = leaf([6, 2, 3, 2], seed: 2), b = leaf([6], seed: 3)
        let y = conv2d(x, weight: w, bias: b, stride: [2, 1], padding: .explicit(top: 1, bottom: 2, left: 0, right: 1),
                       dilation: [1, 2], groups: 2)
        assertClose(y.toDoubleArray(), naiveConv(x, w, b, s: (2, 1), pad: (1, 2, 0, 1), d: (1, 2), groups: 2))
        // Large batch: several chunks of images per column matrix.
        let xb = leaf([37, 3, 5, 5], seed: 4), wb = leaf([4, 3, 3, 3], seed: 5)
        assertClose(conv2d(xb, weight: wb, padding: 1).toDoubleArray(),
                    naiveConv(xb, wb, nil, s: (1, 1), pad: (1, 1, 1, 1), d: (1, 1), groups: 1))
        // Float32 path.
        let y32 = conv2d(x.to(.float32), weight: w.to(.float32), bias: b.to(.float32), stride: [2, 1],
                         padding: .explicit(top: 1, bottom: 2, left: 0, right: 1), dilation: [1, 2], groups: 2)
        assertClose(y32.toArray(), y.toArray(), atol: 1e-5)
    }

    func testConv2dGradients() {
        let x = leaf([2, 3, 7, 9]), w = leaf([4, 3, 3, 3], seed: 2), b = leaf([4], seed: 3)
        gradCheck("conv k3 s1 p0", [x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2]) }
        gradCheck("conv k3 s2 p1", [x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: [2, 2], padding: 1) }
        gradCheck("conv k3 s2 p0 odd", [x, w]) { conv2d($0[0], weight: $0[1], stride: [2]) }
        gradCheck("conv k5 p2", [leaf([1, 2, 7, 9]), leaf([3, 2, 5, 5], seed: 4)]) { conv2d($0[0], weight: $0[1], padding: 2) }
        gradCheck("conv dilation 2", [leaf([1, 2, 7, 9]), leaf([3, 2, 3, 3], seed: 5)]) { conv2d($0[0], weight: $0[1], dilation: [2, 2]) }
        gradCheck("conv groups 2", [leaf([1, 4, 5, 6]), leaf([6, 2, 3, 3], seed: 6), leaf([6], seed: 7)]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1, groups: 2)
        }
        gradCheck("conv same k4", [leaf([1, 2, 7, 9]), leaf([3, 2, 4, 4], seed: 8)]) { conv2d($0[0], weight: $0[1], padding: .same) }
        gradCheck("conv rect", [leaf([1, 2, 7, 9]), leaf([3, 2, 2, 3], seed: 9)]) { conv2d($0[0], weight: $0[1], stride: [2, 1], padding: [1, 0]) }
        gradCheck("conv pointwise", [leaf([3, 4, 3, 5]), leaf([5, 4, 1, 1], seed: 10)]) { conv2d($0[0], weight: $0[1]) }
        gradCheck("conv chunked batch", [leaf([40, 2, 3, 3]), leaf([3, 2, 2, 2], seed: 11)]) { conv2d($0[0], weight: $0[1]) }
        gradCheck("conv unbatched", [leaf([2, 5, 5]), leaf([3, 2, 3, 3], seed: 12)]) { conv2d($0[0], weight: $0[1]) }
        gradCheck("conv strided input", [leaf([2, 5, 6, 3])]) {
            conv2d($0[0].permute([0, 3, 1, 2]), weight: leaf([2, 3, 3, 3], seed: 13).detach())
        }
    }

    func testConvTranspose2dGradients() {
        let x = leaf([1, 3, 7, 7]), w = leaf([3, 2, 5, 5], seed: 2), b = leaf([2], seed: 3)
        gradCheck("convT k5 s2 p2 op1", [x, w, b]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: [2, 2], padding: [2, 2], outputPadding: [1, 1])
        }
        gradCheck("convT k4 s2 p1", [leaf([2, 3, 4, 5]), leaf([3, 2, 4, 4], seed: 4), leaf([2], seed: 5)]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: [2], padding: [1])
        }
        gradCheck("convT 1x1 to 4x4", [leaf([2, 5, 1, 1]), leaf([5, 3, 4, 4], seed: 6)]) { convTranspose2d($0[0], weight: $0[1]) }
        gradCheck("convT groups 2", [leaf([1, 4, 3, 4]), leaf([4, 3, 3, 3], seed: 7), leaf([6], seed: 8)]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: [2, 2], padding: [1, 1], groups: 2)
        }
        gradCheck("convT dilation 2", [leaf([1, 2, 4, 5]), leaf([2, 3, 3, 3], seed: 9)]) { convTranspose2d($0[0], weight: $0[1], dilation: [2, 2]) }
        gradCheck("convT rect", [leaf([1, 2, 3, 4]), leaf([2, 2, 3, 2], seed: 10)]) {
            convTranspose2d($0[0], weight: $0[1], stride: [2, 3], padding: [1, 0], outputPadding: [1, 2])
        }
        gradCheck("convT outputSize", [leaf([1, 2, 7, 7]), leaf([2, 2, 5, 5], seed: 11)]) {
            convTranspose2d($0[0], weight: $0[1], stride: [2], padding: [2], outputSize: [14, 14])
        }
        gradCheck("convT op < dilation", [leaf([1, 2, 3, 3]), leaf([2, 2, 3, 3], seed: 12)]) {
            convTranspose2d($0[0], weight: $0[1], outputPadding: [1, 1], dilation: [2, 2])
        }
        gradCheck("convT chunked batch", [leaf([33, 2, 2, 3]), leaf([2, 3, 3, 3], seed: 13)]) {
            convTranspose2d($0[0], weight: $0[1], stride: [2])
        }
    }

    /// convTranspose2d is the input gradient of conv2d: ⟨convT(y, w), x⟩ = ⟨y, conv(x, w)⟩.
    func testTransposeIsAdjoint() {
        let x = Tensor.randn([2, 4, 9, 8], dtype: .float64), w = Tensor.randn([6, 2, 3, 3], dtype: .float64)
        let y = conv2d(x, weight: w, stride: [2, 2], padding: 1, groups: 2)
        let u = Tensor.randn(y.shape, dtype: .float64)
        let back = convTranspose2d(u, weight: w, stride: [2, 2], padding: [1, 1], groups: 2, outputSize: [9, 8])
        XCTAssertEqual(back.shape, x.shape)
        XCTAssertEqual((back * x).sum().doubleItem(), (u * y).sum().doubleItem(), accuracy: 1e-9)
    }

    /// Gradients of gradients (e.g. a WGAN-GP penalty on a convolutional critic).
    func testSecondDerivatives() {
        let x = leaf([2, 2, 5, 6]), w = leaf([3, 2, 3, 3], seed: 2), b = leaf([3], seed: 3)
        gradCheck("conv d/dx then d/d(x, w)", [x, w, b]) { t in withGradEnabled(true) {
            let y = conv2d(t[0], weight: t[1], bias: t[2], stride: [2, 1], padding: 1).tanh()
            let g = gradients(of: y.sum(), withRespectTo: [t[0], t[1]], createGraph: true)
            return g[0]!.square().sum() + g[1]!.square().sum()
        } }
        let xt = leaf([1, 3, 3, 4], seed: 4), wt = leaf([3, 2, 3, 3], seed: 5)
        gradCheck("convT double backward", [xt, wt]) { t in withGradEnabled(true) {
            let y = convTranspose2d(t[0], weight: t[1], stride: [2, 2], padding: [1, 1]).sigmoid()
            let g = gradients(of: y.sum(), withRespectTo: [t[0], t[1]], createGraph: true)
            return g[0]!.square().sum() + g[1]!.square().sum()
        } }
    }

    func testPaddingSpellings() {
        XCTAssertEqual(ConvPadding.symmetric(1, 2), .explicit(top: 1, bottom: 1, left: 2, right: 2))
        let p: ConvPadding = 2
        XCTAssertEqual(p, .symmetric(2, 2))
        let q: ConvPadding = [1, 0]
        XCTAssertEqual(q, .symmetric(1, 0))
        XCTAssertEqual(ConvPadding.zero, .symmetric(0, 0))
        let x = Tensor.randn([1, 2, 7, 9]), w = Tensor.randn([3, 2, 4, 4])
        XCTAssertEqual(conv2d(x, weight: w, padding: .same).shape, [1, 3, 7, 9])
        XCTAssertEqual(conv2d(x, weight: w, padding: .valid).shape, [1, 3, 4, 6])
        XCTAssertEqual(conv2d(x, weight: w, padding: .same).toArray(),
                       conv2d(x, weight: w, padding: .explicit(top: 1, bottom: 2, left: 1, right: 2)).toArray())
    }

    // MARK: Errors

    func testErrorMessages() {
        assertStops("EmberTests.ConvolutionTests/testDeathOutputPadding",
                    with: "convTranspose2d: output padding must be smaller than either stride or dilation, but got output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1")
        assertStops("EmberTests.ConvolutionTests/testDeathOutputSize",
                    with: "convTranspose2d: requested an output size of [15, 15], but valid sizes range from [13, 13] to [14, 14] (for an input of [7, 7])")
        assertStops("EmberTests.ConvolutionTests/testDeathChannels",
                    with: "conv2d: Given groups=1, weight of size [4, 3, 3, 3], expected input[2, 5, 7, 9] to have 3 channels, but got 5 channels instead")
        assertStops("EmberTests.ConvolutionTests/testDeathSameStrided", with: "padding='same' is not supported for strided convolutions")
    }

    func testDeathOutputPadding() {
        guard isDeathTestChild else { return }
        _ = convTranspose2d(Tensor.zeros([1, 2, 3, 3]), weight: Tensor.zeros([2, 2, 3, 3]), outputPadding: [1, 1])
    }

    func testDeathOutputSize() {
        guard isDeathTestChild else { return }
        _ = convTranspose2d(Tensor.zeros([1, 2, 7, 7]), weight: Tensor.zeros([2, 2, 5, 5]), stride: [2], padding: [2], outputSize: [15, 15])
    }

    func testDeathChannels() {
        guard isDeathTestChild else { return }
        _ = conv2d(Tensor.zeros([2, 5, 7, 9]), weight: Tensor.zeros([4, 3, 3, 3]))
    }

    func testDeathSameStrided() {
        guard isDeathTestChild else { return }
        _ = conv2d(Tensor.zeros([1, 1, 5, 5]), weight: Tensor.zeros([1, 1, 3, 3]), stride: [2], padding: .same)
    }
}
