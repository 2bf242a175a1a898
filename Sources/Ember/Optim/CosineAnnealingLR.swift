import Foundation

/// Anneals the learning rate along a cosine from its initial value down to `etaMin` over `tMax`
/// epochs (PyTorch's `CosineAnnealingLR`, without restarts): after `tMax` epochs it rises again.
///
/// ```swift
/// let schedule = CosineAnnealingLR(opt, tMax: 100, etaMin: 1e-5)
/// ```
///
/// The closed form is η_min + (base − η_min)·(1 + cos(π·e/T_max))/2. Like PyTorch, each step
/// computes it recursively from the current rate (so other schedulers can act on the same
/// optimizer), which gives PyTorch's values bit for bit.
public final class CosineAnnealingLR: LRScheduler {
    /// The number of epochs of a half period (PyTorch's `T_max`).
    public private(set) var tMax: Int
    /// The minimum learning rate (PyTorch's `eta_min`).
    public private(set) var etaMin: Double

    /// - Parameters:
    ///   - optimizer: the optimizer whose learning rates to change.
    ///   - tMax: the number of epochs from the initial rate down to `etaMin` (> 0).
    ///   - etaMin: the minimum learning rate (default 0).
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Double = 0) {
        if tMax <= 0 { fail("CosineAnnealingLR", "tMax must be positive, got \(tMax)") }
        self.tMax = tMax
        self.etaMin = etaMin
        super.init(optimizer: optimizer)
    }

    /// PyTorch's recursive form of the cosine schedule.
    public override func computeLR() -> [Double] {
        let e = Double(lastEpoch), t = Double(tMax)
        if lastEpoch == 0 { return currentLRs }
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {  // the bottom of the curve: step back up
            return zip(currentLRs, baseLRs).map { lr, base in
                lr + (base - etaMin) * (1 - Foundation.cos(Double.pi / t)) / 2
            }
        }
        // (1 + cos(π·e/T)) / (1 + cos(π·(e−1)/T)) · (lr − η_min) + η_min
        let ratio = (1 + Foundation.cos(Double.pi * e / t)) / (1 + Foundation.cos(Double.pi * (e - 1) / t))
        return currentLRs.map { ratio * ($0 - etaMin) + etaMin }
    }

    /// The fields saved in the state dict, under PyTorch's names.
    public override var stateFields: [String: StateValue] { ["T_max": .int(tMax), "eta_min": .double(etaMin)] }

    /// Checks that a loaded period is positive.
    public override func validateStateFields(_ fields: [String: StateValue]) -> [StateDictLoadError.Problem] {
        (fields["T_max"]?.intValue ?? 1) > 0 ? [] : [.invalidValue(context: "", key: "T_max", reason: "must be positive")]
    }

    /// Restores the fields from a checked state dict.
    public override func loadStateFields(_ fields: [String: StateValue]) {
        tMax = fields["T_max"]!.intValue!
        etaMin = fields["eta_min"]!.doubleValue!
    }
}
