/// Batch normalisation over the channel dimension (dimension 1) — shared by `BatchNorm1D` and
/// `BatchNorm2D`.
///
/// Training mode normalises with the batch's statistics (biased variance) and updates the running
/// statistics: running = (1 - momentum)·running + momentum·batch, with the unbiased variance.
/// Evaluation mode normalises with the running statistics. Defaults are PyTorch's: eps 1e-5,
/// momentum 0.1. **Keras's `momentum` is the decay of the old value**, so Keras's
/// `BatchNormalization(momentum: 0.8)` is `momentum: 0.2` here (and Keras's default 0.99 is 0.01).
/// `momentum: nil` keeps a cumulative average. State-dict keys: `weight`, `bias`,
/// `running_mean`, `running_var`, `num_batches_tracked`.
public class BatchNormBase: Module {
    /// γ [numFeatures] (nil without `affine`).
    public let weight: Tensor?
    /// β [numFeatures] (nil without `affine`).
    public let bias: Tensor?
    @Buffer var running_mean: Tensor
    @Buffer var running_var: Tensor
    @Buffer var num_batches_tracked: Tensor
    public let numFeatures: Int
    public let eps: Double
    /// The weight of the new batch in the running statistics (nil: cumulative average).
    public var momentum: Double?
    /// Whether running statistics are kept (otherwise batch statistics are used in eval too).
    public let trackRunningStats: Bool

    /// The running mean [numFeatures].
    public var runningMean: Tensor { running_mean }
    /// The running (unbiased) variance [numFeatures].
    public var runningVar: Tensor { running_var }
    /// How many training batches have updated the running statistics (int64 scalar).
    public var numBatchesTracked: Tensor { num_batches_tracked }

    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .float32) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.trackRunningStats = trackRunningStats
        weight = affine ? Tensor.ones([numFeatures], dtype: dtype, requiresGrad: true) : nil
        bias = affine ? Tensor.zeros([numFeatures], dtype: dtype, requiresGrad: true) : nil
        _running_mean = Buffer(wrappedValue: Tensor.zeros([numFeatures], dtype: dtype), persistent: trackRunningStats)
        _running_var = Buffer(wrappedValue: Tensor.ones([numFeatures], dtype: dtype), persistent: trackRunningStats)
        _num_batches_tracked = Buffer(wrappedValue: Tensor.zeros([], dtype: .int64), persistent: trackRunningStats)
        super.init()
    }

    func checkInput(_ input: Tensor) {}

    public override func forward(_ input: Tensor) -> Tensor {
        checkInput(input)
        if input.rank < 2 || input.shape[1] != numFeatures {
            fail(String(describing: type(of: self)), "expected \(numFeatures) channels in dimension 1, got input of shape \(shapeString(input.shape))")
        }
        let useBatchStats = isTraining || !trackRunningStats
        return batchNorm(input, runningMean: trackRunningStats ? running_mean : nil, runningVar: trackRunningStats ? running_var : nil,
                         weight: weight, bias: bias, training: useBatchStats, momentum: momentum, eps: eps,
                         numBatchesTracked: trackRunningStats && isTraining ? num_batches_tracked : nil)
    }
}

/// Batch normalisation of [N, C] or [N, C, L] inputs (PyTorch's `nn.BatchNorm1d`, Keras's
/// `BatchNormalization` after a Dense layer). See `BatchNormBase` for the momentum convention.
public final class BatchNorm1D: BatchNormBase {
    override func checkInput(_ input: Tensor) {
        if input.rank != 2 && input.rank != 3 { fail("BatchNorm1D", "expected 2D or 3D input (got \(input.rank)D input of shape \(shapeString(input.shape)))") }
    }
}

/// Batch normalisation of [N, C, H, W] inputs (PyTorch's `nn.BatchNorm2d`). See
/// `BatchNormBase` for the momentum convention.
public final class BatchNorm2D: BatchNormBase {
    override func checkInput(_ input: Tensor) {
        if input.rank != 4 { fail("BatchNorm2D", "expected 4D input (got \(input.rank)D input of shape \(shapeString(input.shape)))") }
    }
}
