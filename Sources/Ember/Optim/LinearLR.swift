/// Scales the learning rate by a factor that changes linearly from `startFactor` to `endFactor`
/// over `totalIters` steps, then stays (PyTorch's `LinearLR`): the usual learning-rate warm-up.
///
/// ```swift
/// let warmup = LinearLR(opt, startFactor: 0.1, totalIters: 5)   // 0.1·lr, 0.28·lr, ..., lr
/// ```
///
/// Creating it already multiplies the learning rate by `startFactor`.
public final class LinearLR: LRScheduler {
    /// The factor at creation, in (0, 1].
    public private(set) var startFactor: Double
    /// The factor reached after `totalIters` steps, in [0, 1].
    public private(set) var endFactor: Double
    /// The number of steps over which the factor changes.
    public private(set) var totalIters: Int

    /// - Parameters:
    ///   - optimizer: the optimizer whose learning rates to change.
    ///   - startFactor: the factor at creation, in (0, 1] (PyTorch's default 1/3).
    ///   - endFactor: the final factor, in [0, 1] (default 1).
    ///   - totalIters: the number of steps to reach it (default 5).
    public init(_ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1.0, totalIters: Int = 5) {
        if !(startFactor > 0 && startFactor <= 1) {
            fail("LinearLR", "Starting multiplicative factor expected to be greater than 0 and less or equal to 1, got \(startFactor)")
        }
        if !(endFactor >= 0 && endFactor <= 1) {
            fail("LinearLR", "Ending multiplicative factor expected to be between 0 and 1, got \(endFactor)")
        }
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIters = totalIters
        super.init(optimizer: optimizer)
    }

    /// PyTorch's recursive form: at creation lr·start; for 1 ≤ e ≤ total
    /// lr·(1 + (end − start) / (total·start + (e − 1)·(end − start))); later unchanged.
    public override func computeLR() -> [Double] {
        if lastEpoch == 0 { return currentLRs.map { $0 * startFactor } }
        if lastEpoch > totalIters { return currentLRs }
        let delta = endFactor - startFactor
        let factor = 1.0 + delta / (Double(totalIters) * startFactor + Double(lastEpoch - 1) * delta)
        return currentLRs.map { $0 * factor }
    }

    /// The fields saved in the state dict, under PyTorch's names.
    public override var stateFields: [String: StateValue] {
        ["start_factor": .double(startFactor), "end_factor": .double(endFactor), "total_iters": .int(totalIters)]
    }

    /// Restores the fields from a checked state dict.
    public override func loadStateFields(_ fields: [String: StateValue]) {
        startFactor = fields["start_factor"]!.doubleValue!
        endFactor = fields["end_factor"]!.doubleValue!
        totalIters = fields["total_iters"]!.intValue!
    }
}
