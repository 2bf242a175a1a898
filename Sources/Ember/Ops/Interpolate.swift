// interpolate: resizing [N, C, H, W] images (PyTorch's F.interpolate / nn.Upsample).
import Foundation

/// How `interpolate` computes output pixels.
public enum InterpolationMode: String, Sendable {
    /// Copies the nearest input pixel at or before the source position: src = ⌊dst·scale⌋
    /// (PyTorch's `'nearest'`, which matches OpenCV's INTER_NEAREST).
    case nearest
    /// Linear interpolation between the 2×2 surrounding input pixels (PyTorch's `'bilinear'`).
    case bilinear
}

/// The source-coordinate scale of one dimension (PyTorch's `compute_scales_value` /
/// `area_pixel_compute_scale`): 1/scaleFactor when a scale factor was given, else in/out;
/// with alignCorners (in − 1)/(out − 1).
private func sourceScale<T: TensorFloat>(_: T.Type, input: Int, output: Int, scaleFactor: Double?, alignCorners: Bool) -> T {
    if alignCorners { return output > 1 ? T(input - 1) / T(output - 1) : 0 }
    if let scaleFactor, scaleFactor > 0 { return T(1.0 / scaleFactor) }
    return T(input) / T(output)
}

/// Nearest-neighbour source indices: min(⌊dst·scale⌋, in − 1), computed in Float as PyTorch does.
func nearestIndices(input: Int, output: Int, scaleFactor: Double?) -> [Int] {
    if output == input { return Array(0..<output) }
    if output == 2 * input { return (0..<output).map { $0 >> 1 } }
    let scale: Float = sourceScale(Float.self, input: input, output: output, scaleFactor: scaleFactor, alignCorners: false)
    return (0..<output).map { Swift.min(Int((Float($0) * scale).rounded(.down)), input - 1) }
}

/// Bilinear taps (PyTorch's `compute_source_index_and_lambda`): src = scale·(dst + ½) − ½ clamped
/// at 0, or dst·scale with alignCorners; i0 = ⌊src⌋, i1 = min(i0 + 1, in − 1), λ1 = src − i0.
func linearTaps<T: TensorFloat>(_: T.Type, input: Int, output: Int, scaleFactor: Double?, alignCorners: Bool) -> [LinearTap<T>] {
    var taps: [LinearTap<T>] = []
    let scale = sourceScale(T.self, input: input, output: output, scaleFactor: scaleFactor, alignCorners: alignCorners)
    for dst in 0..<output {
        if output == input {
            taps.append(LinearTap(i0: dst, i1: dst, l0: 1, l1: 0))
            continue
        }
        var src = alignCorners ? scale * T(dst) : scale * (T(dst) + 0.5) - 0.5
        if src < 0 { src = 0 }
        let i0 = Swift.min(Int(src.rounded(.down)), input - 1)
        let l1 = Swift.min(Swift.max(src - T(i0), 0), 1)
        taps.append(LinearTap(i0: i0, i1: i0 + (i0 < input - 1 ? 1 : 0), l0: 1 - l1, l1: l1))
    }
    return taps
}

/// Resizes a batch of images, like PyTorch's `F.interpolate` (and `nn.Upsample`).
///
/// Give either `size` or `scaleFactor`:
/// ```swift
/// interpolate(x, scaleFactor: [2])                                   // nearest, 2× larger
/// interpolate(x, size: [32, 48], mode: .bilinear, alignCorners: false)
/// ```
/// - Parameters:
///   - x: `[N, C, H, W]`.
///   - size: the output `[Hout, Wout]` (or `[s]` for both).
///   - scaleFactor: `[f]` or `[fH, fW]`; the output is `⌊H·fH⌋ × ⌊W·fW⌋` and source positions
///     are computed with the scale 1/f (not H/Hout), exactly as PyTorch does.
///   - mode: `.nearest` (default) or `.bilinear`.
///   - alignCorners: bilinear only; `true` maps the corner pixels of input and output onto each
///     other (src = dst·(in − 1)/(out − 1)); `false` (the default when nil) treats pixels as
///     areas (src = (dst + ½)·scale − ½). Must be nil for `.nearest`.
/// - Returns: `[N, C, Hout, Wout]`. The gradient adds each output gradient back to the input
///   pixels it was computed from, with the same weights.
public func interpolate(_ x: Tensor, size: [Int]? = nil, scaleFactor: [Double]? = nil,
                        mode: InterpolationMode = .nearest, alignCorners: Bool? = nil) -> Tensor {
    let op = "interpolate"
    x.checkImage(op, allowUnbatched: false)
    if (size == nil) == (scaleFactor == nil) {
        fail(op, size == nil ? "either size or scaleFactor should be given" : "only one of size or scaleFactor should be given")
    }
    if mode == .nearest && alignCorners != nil {
        fail(op, "alignCorners can only be set with the interpolating modes (bilinear), not with nearest")
    }
    let h = x.shape[2], w = x.shape[3]
    var factors: (Double?, Double?) = (nil, nil)
    let oh: Int, ow: Int
    if let size {
        (oh, ow) = spatialPair(size, op, "size")
    } else {
        let f = scaleFactor!
        if f.count != 1 && f.count != 2 { fail(op, "scaleFactor must have 1 or 2 values, got \(f)") }
        factors = (f[0], f[f.count - 1])
        if !(factors.0! > 0) || !(factors.1! > 0) { fail(op, "scaleFactor must be positive, got \(f)") }
        oh = Int((Double(h) * factors.0!).rounded(.down))
        ow = Int((Double(w) * factors.1!).rounded(.down))
    }
    if oh <= 0 || ow <= 0 || h == 0 || w == 0 {
        fail(op, "input \(shapeString(x.shape)) and output [\(oh), \(ow)] sizes should be greater than 0")
    }
    let planes = x.shape[0] * x.shape[1], outShape = [x.shape[0], x.shape[1], oh, ow], inShape = x.shape
    let map: LinearMap
    switch mode {
    case .nearest:
        let rows = nearestIndices(input: h, output: oh, scaleFactor: factors.0)
        let cols = nearestIndices(input: w, output: ow, scaleFactor: factors.1)
        map = LinearMap(name: "upsampleNearest2d", adjointName: "upsampleNearest2dBackward", forward: { x in
            let y = Tensor(uninitializedShape: outShape, dtype: x.dtype)
            switch x.dtype {
            case .float32: nearestForward(planes: planes, inH: h, inW: w, rows: rows, cols: cols, x.basePointer(Float.self), y.basePointer(Float.self))
            default: nearestForward(planes: planes, inH: h, inW: w, rows: rows, cols: cols, x.basePointer(Double.self), y.basePointer(Double.self))
            }
            return y
        }, adjoint: { dy in
            let dx = Tensor(uninitializedShape: inShape, dtype: dy.dtype)
            switch dy.dtype {
            case .float32: nearestBackward(planes: planes, inH: h, inW: w, rows: rows, cols: cols, dy.basePointer(Float.self), dx.basePointer(Float.self))
            default: nearestBackward(planes: planes, inH: h, inW: w, rows: rows, cols: cols, dy.basePointer(Double.self), dx.basePointer(Double.self))
            }
            return dx
        })
    case .bilinear:
        let align = alignCorners ?? false
        func taps<T: TensorFloat>(_: T.Type) -> ([LinearTap<T>], [LinearTap<T>]) {
            (linearTaps(T.self, input: h, output: oh, scaleFactor: factors.0, alignCorners: align),
             linearTaps(T.self, input: w, output: ow, scaleFactor: factors.1, alignCorners: align))
        }
        let (h32, w32) = taps(Float.self), (h64, w64) = taps(Double.self)
        map = LinearMap(name: "upsampleBilinear2d", adjointName: "upsampleBilinear2dBackward", forward: { x in
            let y = Tensor(uninitializedShape: outShape, dtype: x.dtype)
            switch x.dtype {
            case .float32: bilinearForward(planes: planes, inH: h, inW: w, h32, w32, x.basePointer(Float.self), y.basePointer(Float.self))
            default: bilinearForward(planes: planes, inH: h, inW: w, h64, w64, x.basePointer(Double.self), y.basePointer(Double.self))
            }
            return y
        }, adjoint: { dy in
            let dx = Tensor(uninitializedShape: inShape, dtype: dy.dtype)
            switch dy.dtype {
            case .float32: bilinearBackward(planes: planes, inH: h, inW: w, h32, w32, dy.basePointer(Float.self), dx.basePointer(Float.self))
            default: bilinearBackward(planes: planes, inH: h, inW: w, h64, w64, dy.basePointer(Double.self), dx.basePointer(Double.self))
            }
            return dx
        })
    }
    return map(x)
}
