/// A learning-rate scheduler's saved state (`scheduler.state_dict()` in PyTorch): `last_epoch`,
/// `base_lrs`, `_last_lr`, `_step_count`, plus the fields of the scheduler type (`step_size`,
/// `gamma`, `T_max`, ...) under PyTorch's names.
public typealias LRSchedulerStateDict = [String: StateValue]

/// The base class of learning-rate schedulers (PyTorch's `torch.optim.lr_scheduler.LRScheduler`).
///
/// A scheduler changes the `lr` of every parameter group of its optimizer. Creating it counts as
/// its first step (`lastEpoch` becomes 0 and the initial learning rates are set); then call
/// `step()` once per epoch (or per iteration), after `optimizer.step()`:
///
/// ```swift
/// let opt = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
/// let schedule = StepLR(opt, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<90 {
///     train(epoch)           // calls opt.step() per batch
///     schedule.step()
/// }
/// ```
///
/// Schedulers use PyTorch's recursive ("chainable") formulas: each step derives the new rate
/// from the group's current `lr`, so the values match PyTorch's to the last bits, and several
/// schedulers can act on the same optimizer. Each group's first `lr` is remembered in the group
/// as `"initial_lr"`, as PyTorch does, and becomes the scheduler's `baseLRs`.
///
/// To write your own, subclass it, set your fields before `super.init(optimizer:)`, and override
/// `computeLR()` (and the `stateFields` hooks to save extra fields).
open class LRScheduler {
    /// The optimizer whose learning rates this scheduler sets.
    public let optimizer: Optimizer
    /// The number of `step()` calls since creation (0 right after creation; PyTorch's `last_epoch`).
    public internal(set) var lastEpoch: Int = -1
    /// The initial learning rate of each group (PyTorch's `base_lrs`).
    public internal(set) var baseLRs: [Double]
    /// The learning rate of each group set by the latest step (PyTorch's `get_last_lr()`).
    public internal(set) var lastLR: [Double] = []
    /// PyTorch's `_step_count`: creation counts as one.
    var stepCount = 0

    /// Attaches the scheduler to `optimizer` and takes the initial step (which may already change
    /// the learning rate, e.g. `LinearLR`'s start factor).
    public init(optimizer: Optimizer) {
        self.optimizer = optimizer
        for i in optimizer.paramGroups.indices where optimizer.paramGroups[i]["initial_lr"] == nil {
            optimizer.paramGroups[i]["initial_lr"] = .double(optimizer.paramGroups[i].lr)
        }
        baseLRs = optimizer.paramGroups.map { $0["initial_lr"]?.doubleValue ?? $0.lr }
        step()
    }

    /// The scheduler's name in messages ("StepLR", ...).
    public var name: String { String(describing: type(of: self)) }

    /// Advances one epoch and sets each group's learning rate.
    public func step() {
        stepCount += 1
        lastEpoch += 1
        let lrs = computeLR()
        if lrs.count != optimizer.paramGroups.count {
            fail("\(name).step", "computeLR() returned \(lrs.count) rates for \(optimizer.paramGroups.count) parameter groups")
        }
        for (i, lr) in lrs.enumerated() { optimizer.paramGroups[i].lr = lr }
        lastLR = optimizer.paramGroups.map(\.lr)
    }

    /// The learning rates for the current `lastEpoch` (PyTorch's `get_lr()`), usually derived
    /// from `currentLRs`. Subclasses override it.
    open func computeLR() -> [Double] {
        fail("\(name)", "the scheduler does not implement computeLR()")
    }

    /// The current learning rate of each parameter group.
    public var currentLRs: [Double] { optimizer.paramGroups.map(\.lr) }

    // MARK: State dict

    /// The fields of the scheduler type, by PyTorch name (e.g. `["step_size": 3, "gamma": 0.5]`).
    open var stateFields: [String: StateValue] { [:] }

    /// Checks the ranges of loaded fields (their keys and types are already checked against
    /// `stateFields`). Default: no further checks.
    open func validateStateFields(_ fields: [String: StateValue]) -> [StateDictLoadError.Problem] { [] }

    /// Sets the fields from a checked state dict (converted to the types of `stateFields`).
    open func loadStateFields(_ fields: [String: StateValue]) {}

    /// PyTorch keys that are accepted when loading but carry nothing Ember needs.
    static let ignoredKeys: Set<String> = ["_is_initial", "_get_lr_called_within_step", "lr_lambdas", "verbose"]

    /// The scheduler's state (`scheduler.state_dict()`): `last_epoch`, `base_lrs`, `_last_lr`,
    /// `_step_count` and the type's fields.
    public func stateDict() -> LRSchedulerStateDict {
        var d = stateFields
        d["last_epoch"] = .int(lastEpoch)
        d["base_lrs"] = .doubles(baseLRs)
        d["_last_lr"] = .doubles(lastLR)
        d["_step_count"] = .int(stepCount)
        return d
    }

    /// Restores a state saved by `stateDict()` (or converted from PyTorch). Checks every key,
    /// type and list length first; on any problem throws a `StateDictLoadError` listing all of
    /// them and changes nothing. The optimizer's learning rates are not touched (they are part of
    /// the optimizer's own state dict).
    public func loadStateDict(_ dict: LRSchedulerStateDict) throws {
        var problems: [StateDictLoadError.Problem] = []
        let groups = optimizer.paramGroups.count
        func value(_ key: String, like reference: StateValue, required: Bool = true) -> StateValue? {
            guard let v = dict[key] else {
                if required { problems.append(.missingKey(context: "", key: key)) }
                return nil
            }
            guard let converted = StateValue.converting(v, like: reference) else {
                problems.append(.invalidValue(context: "", key: key, reason: "expected \(reference.kindDescription), got \(v)"))
                return nil
            }
            return converted
        }
        func rates(_ key: String) -> [Double]? {
            guard let v = dict[key] else { problems.append(.missingKey(context: "", key: key)); return nil }
            guard let r = v.doublesValue, r.count == groups else {
                problems.append(.invalidValue(context: "", key: key, reason: "expected a list of \(groups) number(s), one per parameter group, got \(v)"))
                return nil
            }
            return r
        }
        let epoch = value("last_epoch", like: .int(0))?.intValue
        let base = rates("base_lrs"), last = rates("_last_lr")
        let count = value("_step_count", like: .int(0), required: false)?.intValue
        if let epoch, epoch < 0 { problems.append(.invalidValue(context: "", key: "last_epoch", reason: "must be >= 0, got \(epoch)")) }
        var fields: [String: StateValue] = [:]
        for (key, reference) in stateFields {
            if let v = value(key, like: reference) { fields[key] = v }
        }
        let known = Set(stateFields.keys).union(["last_epoch", "base_lrs", "_last_lr", "_step_count"])
        for key in dict.keys.sorted() where !known.contains(key) && !LRScheduler.ignoredKeys.contains(key) {
            problems.append(.unknownKey(context: "", key: key))
        }
        if problems.isEmpty { problems = validateStateFields(fields) }
        if !problems.isEmpty { throw StateDictLoadError(owner: name, problems: problems) }

        lastEpoch = epoch!
        baseLRs = base!
        lastLR = last!
        stepCount = count ?? epoch! + 1
        loadStateFields(fields)
    }
}
