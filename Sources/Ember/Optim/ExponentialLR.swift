/// Multiplies the learning rate by `gamma` every epoch (PyTorch's `ExponentialLR`).
///
/// ```swift
/// let schedule = ExponentialLR(opt, gamma: 0.95)
/// ```
public final class ExponentialLR: LRScheduler {
    /// The multiplicative factor applied every epoch.
    public private(set) var gamma: Double

    /// - Parameters:
    ///   - optimizer: the optimizer whose learning rates to change.
    ///   - gamma: the multiplicative factor per epoch.
    public init(_ optimizer: Optimizer, gamma: Double) {
        self.gamma = gamma
        super.init(optimizer: optimizer)
    }

    /// lr·γ (recursively, as PyTorch: after e steps the rate is base·γ·γ·…, rounded each time).
    public override func computeLR() -> [Double] {
        lastEpoch == 0 ? currentLRs : currentLRs.map { $0 * gamma }
    }

    /// The fields saved in the state dict, under PyTorch's names.
    public override var stateFields: [String: StateValue] { ["gamma": .double(gamma)] }

    /// Restores the fields from a checked state dict.
    public override func loadStateFields(_ fields: [String: StateValue]) {
        gamma = fields["gamma"]!.doubleValue!
    }
}
