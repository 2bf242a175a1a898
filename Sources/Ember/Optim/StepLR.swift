/// Multiplies the learning rate by `gamma` every `stepSize` epochs (PyTorch's `StepLR`).
///
/// ```swift
/// let schedule = StepLR(opt, stepSize: 30, gamma: 0.1)   // lr 0.1 for epochs 0-29, 0.01 for 30-59, ...
/// ```
public final class StepLR: LRScheduler {
    /// The period of the decay, in epochs.
    public private(set) var stepSize: Int
    /// The multiplicative factor applied every `stepSize` epochs.
    public private(set) var gamma: Double

    /// - Parameters:
    ///   - optimizer: the optimizer whose learning rates to change.
    ///   - stepSize: the period of the decay, in epochs (> 0).
    ///   - gamma: the multiplicative factor (default 0.1).
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1) {
        if stepSize <= 0 { fail("StepLR", "stepSize must be positive, got \(stepSize)") }
        self.stepSize = stepSize
        self.gamma = gamma
        super.init(optimizer: optimizer)
    }

    /// lr·γ when `lastEpoch` is a positive multiple of `stepSize`, otherwise unchanged.
    public override func computeLR() -> [Double] {
        if lastEpoch == 0 || lastEpoch % stepSize != 0 { return currentLRs }
        return currentLRs.map { $0 * gamma }
    }

    /// The fields saved in the state dict, under PyTorch's names.
    public override var stateFields: [String: StateValue] { ["step_size": .int(stepSize), "gamma": .double(gamma)] }

    /// Checks that a loaded period is positive.
    public override func validateStateFields(_ fields: [String: StateValue]) -> [StateDictLoadError.Problem] {
        (fields["step_size"]?.intValue ?? 1) > 0 ? [] : [.invalidValue(context: "", key: "step_size", reason: "must be positive")]
    }

    /// Restores the fields from a checked state dict.
    public override func loadStateFields(_ fields: [String: StateValue]) {
        stepSize = fields["step_size"]!.intValue!
        gamma = fields["gamma"]!.doubleValue!
    }
}
