import Foundation

/// Multiplies the learning rate by `gamma` at each milestone epoch (PyTorch's `MultiStepLR`).
///
/// ```swift
/// let schedule = MultiStepLR(opt, milestones: [30, 80], gamma: 0.1)
/// ```
///
/// A milestone listed twice multiplies by γ² there. In the state dict `milestones` is the sorted
/// list of milestones with repeats (PyTorch saves a `Counter`, milestone → multiplicity).
public final class MultiStepLR: LRScheduler {
    /// The epochs at which the learning rate decays, sorted (repeats multiply the decay).
    public private(set) var milestones: [Int]
    /// The multiplicative factor applied at each milestone.
    public private(set) var gamma: Double

    /// - Parameters:
    ///   - optimizer: the optimizer whose learning rates to change.
    ///   - milestones: epoch indices, in any order.
    ///   - gamma: the multiplicative factor (default 0.1).
    public init(_ optimizer: Optimizer, milestones: [Int], gamma: Double = 0.1) {
        self.milestones = milestones.sorted()
        self.gamma = gamma
        super.init(optimizer: optimizer)
    }

    /// lr·γ^k at an epoch listed k times in `milestones`, otherwise unchanged.
    public override func computeLR() -> [Double] {
        let k = milestones.filter { $0 == lastEpoch }.count
        if k == 0 { return currentLRs }
        let factor = Foundation.pow(gamma, Double(k))
        return currentLRs.map { $0 * factor }
    }

    /// The fields saved in the state dict, under PyTorch's names.
    public override var stateFields: [String: StateValue] { ["milestones": .ints(milestones), "gamma": .double(gamma)] }

    /// Restores the fields from a checked state dict.
    public override func loadStateFields(_ fields: [String: StateValue]) {
        milestones = fields["milestones"]!.intsValue!.sorted()
        gamma = fields["gamma"]!.doubleValue!
    }
}
