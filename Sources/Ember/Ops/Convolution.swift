// conv2d: 2-D cross-correlation over [N, C, H, W] images (PyTorch's F.conv2d).

/// The zero padding of a 2-D convolution.
///
/// Write a number for the same padding on all four sides, a pair `[h, w]` for PyTorch's
/// `padding=(h, w)`, or one of the named cases:
/// ```swift
/// conv2d(x, weight: w, padding: 1)          // 1 on every side
/// conv2d(x, weight: w, padding: [2, 0])     // 2 rows above and below, no columns
/// conv2d(x, weight: w, padding: .same)      // output as large as the input (stride 1)
/// ```
public enum ConvPadding: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// Zeros added on each side of the image.
    case explicit(top: Int, bottom: Int, left: Int, right: Int)
    /// Pads so that a stride-1 convolution keeps the input size: a total of dilation·(k − 1)
    /// per dimension, the smaller half (total/2, rounded down) before and the rest after,
    /// like PyTorch's `padding='same'`.
    case same
    /// No padding (PyTorch's `padding='valid'`).
    case valid

    /// `h` zeros above and below, `w` zeros left and right (PyTorch's `padding=(h, w)`).
    public static func symmetric(_ h: Int, _ w: Int) -> ConvPadding { .explicit(top: h, bottom: h, left: w, right: w) }
    /// No padding.
    public static let zero = ConvPadding.explicit(top: 0, bottom: 0, left: 0, right: 0)

    /// `padding: 2` pads every side by 2.
    public init(integerLiteral value: Int) { self = .symmetric(value, value) }

    /// `padding: [h, w]` (or `[p]`) pads like PyTorch's `padding=(h, w)`.
    public init(arrayLiteral elements: Int...) {
        let (h, w) = spatialPair(elements, "ConvPadding", "padding")
        self = .symmetric(h, w)
    }

    /// (top, bottom, left, right) for a kernel of effective extent `extentH`×`extentW` (d·(k−1)+1).
    func resolve(extentH: Int, extentW: Int, stride: (Int, Int), op: String) -> (Int, Int, Int, Int) {
        switch self {
        case let .explicit(top, bottom, left, right):
            if min(top, bottom, left, right) < 0 { fail(op, "negative padding is not supported, got \(self)") }
            return (top, bottom, left, right)
        case .valid:
            return (0, 0, 0, 0)
        case .same:
            if stride != (1, 1) { fail(op, "padding='same' is not supported for strided convolutions (stride \([stride.0, stride.1]))") }
            let th = extentH - 1, tw = extentW - 1
            return (th / 2, th - th / 2, tw / 2, tw - tw / 2)
        }
    }
}

/// Checks stride, dilation and groups, and returns them as pairs.
func convArguments(_ op: String, stride: [Int], dilation: [Int], groups: Int) -> ((Int, Int), (Int, Int)) {
    let s = spatialPair(stride, op, "stride"), d = spatialPair(dilation, op, "dilation")
    if s.0 <= 0 || s.1 <= 0 { fail(op, "non-positive stride is not supported, got \(stride)") }
    if d.0 <= 0 || d.1 <= 0 { fail(op, "dilation should be greater than zero, got \(dilation)") }
    if groups <= 0 { fail(op, "non-positive groups is not supported, got \(groups)") }
    return (s, d)
}

/// Checks dtypes and the bias of a convolution.
func checkConvOperands(_ op: String, _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, biasCount: Int) {
    x.checkImage(op)
    if weight.rank != 4 {
        fail(op, "expected a 4-D weight, got weight of size \(shapeString(weight.shape)) for input \(shapeString(x.shape))")
    }
    if weight.dtype != x.dtype || (bias != nil && bias!.dtype != x.dtype) {
        fail(op, "dtypes differ: input \(x.dtype), weight \(weight.dtype)\(bias.map { ", bias \($0.dtype)" } ?? "")")
    }
    if let bias, bias.shape != [biasCount] {
        fail(op, "bias of size \(shapeString(bias.shape)) must have shape [\(biasCount)] (one value per output channel) for weight \(shapeString(weight.shape))")
    }
}

/// Applies a 2-D convolution (cross-correlation, no kernel flip) over a batch of images, like
/// PyTorch's `F.conv2d`.
///
/// `y[n, co, i, j] = bias[co] + Σ_{ci ∈ group(co), a, b} weight[co, ci, a, b] · x[n, ci, i·sH + a·dH − pTop, j·sW + b·dW − pLeft]`
///
/// - Parameters:
///   - x: input `[N, Cin, H, W]` (or unbatched `[Cin, H, W]`).
///   - weight: `[Cout, Cin/groups, kH, kW]`.
///   - bias: optional `[Cout]`.
///   - stride: `[s]` or `[sH, sW]`.
///   - padding: zero padding; `1`, `[1, 2]`, `.same`, `.valid` or `.explicit(...)`.
///   - dilation: spacing between kernel taps, `[d]` or `[dH, dW]`.
///   - groups: splits the channels into groups convolved separately; Cin and Cout must be
///     divisible by it (`groups == Cin` is a depthwise convolution).
/// - Returns: `[N, Cout, Hout, Wout]` with `Hout = ⌊(H + pTop + pBottom − dH·(kH − 1) − 1) / sH⌋ + 1`.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1, 1],
                   padding: ConvPadding = .zero, dilation: [Int] = [1, 1], groups: Int = 1) -> Tensor {
    let op = "conv2d"
    checkConvOperands(op, x, weight, bias, biasCount: weight.rank == 4 ? weight.shape[0] : 0)
    let (s, d) = convArguments(op, stride: stride, dilation: dilation, groups: groups)
    let cout = weight.shape[0], cinG = weight.shape[1], kH = weight.shape[2], kW = weight.shape[3]
    let c = x.shape[x.rank - 3], h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    if cinG * groups != c {
        fail(op, "Given groups=\(groups), weight of size \(shapeString(weight.shape)), expected input\(shapeString(x.shape)) to have \(cinG * groups) channels, but got \(c) channels instead")
    }
    if cout % groups != 0 {
        fail(op, "the \(cout) output channels of weight \(shapeString(weight.shape)) are not divisible by groups=\(groups)")
    }
    let extentH = d.0 * (kH - 1) + 1, extentW = d.1 * (kW - 1) + 1
    let (top, bottom, left, right) = padding.resolve(extentH: extentH, extentW: extentW, stride: s, op: op)
    let paddedH = h + top + bottom, paddedW = w + left + right
    if paddedH < extentH || paddedW < extentW {
        fail(op, "Calculated padded input size per channel: (\(paddedH) x \(paddedW)). Kernel size: (\(extentH) x \(extentW)). Kernel size can't be greater than actual input size (input \(shapeString(x.shape)), weight \(shapeString(weight.shape)))")
    }
    let geometry = ConvGeometry(
        batch: 0, inChannels: c, inH: h, inW: w,
        outChannels: cout, outH: (paddedH - extentH) / s.0 + 1, outW: (paddedW - extentW) / s.1 + 1,
        kH: kH, kW: kW, strideH: s.0, strideW: s.1, padTop: top, padLeft: left,
        dilationH: d.0, dilationW: d.1, groups: groups)
    return batched(x) { convolutionForward($0, weight, bias, geometry) }
}
