// convTranspose2d: the adjoint of conv2d with respect to its input (PyTorch's F.conv_transpose2d),
// used to upsample in generators and decoders.

/// Applies a 2-D transposed convolution ("deconvolution"), like PyTorch's `F.conv_transpose2d`.
///
/// Every input pixel scatters a copy of the kernel, scaled by its value, into the output:
/// `full[n, co, i·s + a·d, j·s + b·d] += x[n, ci, i, j] · weight[ci, co, a, b]`, then
/// `padding` rows/columns are cropped from each side and `bias` is added. It is exactly the
/// gradient of `conv2d` with respect to its input, with the same weight tensor.
///
/// - Parameters:
///   - x: input `[N, Cin, H, W]` (or unbatched `[Cin, H, W]`).
///   - weight: `[Cin, Cout/groups, kH, kW]` (note: input channels first, as in PyTorch).
///   - bias: optional `[Cout]`.
///   - stride, padding, dilation: as for the matching `conv2d`, each `[v]` or `[h, w]`.
///   - outputPadding: extra rows/columns added at the bottom/right of the output, to pick
///     among the sizes that a strided `conv2d` maps to the same size; each must be smaller
///     than the stride or the dilation.
///   - groups: channel groups, as in `conv2d`.
///   - outputSize: the wanted `[Hout, Wout]` (or a full `[N, C, Hout, Wout]`); chooses
///     `outputPadding` for you, like the `output_size` argument of PyTorch's `ConvTranspose2d`.
/// - Returns: `[N, Cout, Hout, Wout]` with `Hout = (H − 1)·sH − 2·pH + dH·(kH − 1) + opH + 1`.
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1, 1],
                            padding: [Int] = [0, 0], outputPadding: [Int] = [0, 0], dilation: [Int] = [1, 1],
                            groups: Int = 1, outputSize: [Int]? = nil) -> Tensor {
    let op = "convTranspose2d"
    checkConvOperands(op, x, weight, bias, biasCount: weight.rank == 4 ? weight.shape[1] * groups : 0)
    let (s, d) = convArguments(op, stride: stride, dilation: dilation, groups: groups)
    let p = spatialPair(padding, op, "padding")
    if p.0 < 0 || p.1 < 0 { fail(op, "negative padding is not supported, got \(padding)") }
    let cin = weight.shape[0], coutG = weight.shape[1], kH = weight.shape[2], kW = weight.shape[3]
    let c = x.shape[x.rank - 3], h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
    if cin != c {
        fail(op, "Given transposed=1, weight of size \(shapeString(weight.shape)), expected input\(shapeString(x.shape)) to have \(cin) channels, but got \(c) channels instead")
    }
    if cin % groups != 0 {
        fail(op, "the \(cin) input channels of weight \(shapeString(weight.shape)) are not divisible by groups=\(groups)")
    }
    // Output size without output padding: (H − 1)·s − 2p + d·(k − 1) + 1.
    let minH = (h - 1) * s.0 - 2 * p.0 + d.0 * (kH - 1) + 1
    let minW = (w - 1) * s.1 - 2 * p.1 + d.1 * (kW - 1) + 1
    var opad = spatialPair(outputPadding, op, "outputPadding")
    if let outputSize {
        if outputSize.count != 2 && outputSize.count != 4 {
            fail(op, "outputSize must have 2 ([H, W]) or 4 ([N, C, H, W]) values, got \(outputSize)")
        }
        if opad != (0, 0) {
            fail(op, "give either outputSize or outputPadding, not both (got outputSize \(outputSize), outputPadding \(outputPadding))")
        }
        let oh = outputSize[outputSize.count - 2], ow = outputSize[outputSize.count - 1]
        let maxH = minH + s.0 - 1, maxW = minW + s.1 - 1
        if oh < minH || oh > maxH || ow < minW || ow > maxW {
            fail(op, "requested an output size of [\(oh), \(ow)], but valid sizes range from [\(minH), \(minW)] to [\(maxH), \(maxW)] (for an input of [\(h), \(w)])")
        }
        opad = (oh - minH, ow - minW)
    }
    if opad.0 < 0 || opad.1 < 0 { fail(op, "negative output padding is not supported, got \([opad.0, opad.1])") }
    if !((opad.0 < s.0 || opad.0 < d.0) && (opad.1 < s.1 || opad.1 < d.1)) {
        fail(op, "output padding must be smaller than either stride or dilation, but got output_padding_height: \(opad.0) output_padding_width: \(opad.1) stride_height: \(s.0) stride_width: \(s.1) dilation_height: \(d.0) dilation_width: \(d.1)")
    }
    let outH = minH + opad.0, outW = minW + opad.1
    if outH <= 0 || outW <= 0 {
        fail(op, "Given input size per channel: (\(h) x \(w)). Calculated output size per channel: (\(outH) x \(outW)). Output size is too small")
    }
    // Seen as a convolution, the output is the image read and x the image produced.
    let geometry = ConvGeometry(
        batch: 0, inChannels: coutG * groups, inH: outH, inW: outW,
        outChannels: cin, outH: h, outW: w,
        kH: kH, kW: kW, strideH: s.0, strideW: s.1, padTop: p.0, padLeft: p.1,
        dilationH: d.0, dilationW: d.1, groups: groups)
    return batched(x) { convolutionData($0, weight, bias, geometry, name: op) }
}
