// Argument handling shared by the 2-D spatial ops (convolution, pooling, resampling).

/// Reads a PyTorch-style `int or (int, int)` argument given as `[v]` or `[h, w]`.
func spatialPair(_ values: [Int], _ op: String, _ what: String) -> (Int, Int) {
    switch values.count {
    case 1: return (values[0], values[0])
    case 2: return (values[0], values[1])
    default: fail(op, "\(what) must have 1 or 2 values ([h, w]), got \(values)")
    }
}

extension Tensor {
    /// This tensor if contiguous, otherwise a contiguous copy; no history (for kernels).
    var contiguousData: Tensor { isContiguous ? self : contiguousCopy() }

    /// Checks that this is a float tensor of rank 4 ([N, C, H, W]) or 3 ([C, H, W]).
    func checkImage(_ op: String, allowUnbatched: Bool = true) {
        if !dtype.isFloatingPoint {
            fail(op, "needs a floating-point input, got \(dtype) of shape \(shapeString(shape)); convert with to(.float32)")
        }
        if rank != 4 && !(allowUnbatched && rank == 3) {
            fail(op, "expected a 4-D input [N, C, H, W]\(allowUnbatched ? " (or 3-D [C, H, W])" : ""), got shape \(shapeString(shape))")
        }
    }
}

/// Applies `body` to `x` as a batch: a 3-D [C, H, W] input gets a batch dimension of 1, which is
/// removed from the result again (PyTorch's unbatched inputs).
func batched(_ x: Tensor, _ body: (Tensor) -> Tensor) -> Tensor {
    x.rank == 3 ? body(x.unsqueeze(0)).squeeze(0) : body(x)
}
