/// A list of parameters that share hyper-parameters: one entry of PyTorch's
/// `optimizer.param_groups`.
///
/// Give an optimizer several groups to train parts of a model differently; a hyper-parameter a
/// group does not set takes the value passed to the optimizer's initialiser:
///
/// ```swift
/// // torch.optim.SGD([{'params': body}, {'params': head, 'lr': 0.01}], lr=0.1, momentum=0.9)
/// let opt = SGD([ParameterGroup(body), ParameterGroup(head, lr: 0.01)], lr: 0.1, momentum: 0.9)
/// opt.paramGroups[1].lr = 0.001                    // param_groups[1]['lr'] = 0.001
/// ```
///
/// Hyper-parameters use PyTorch's key names (`"lr"`, `"betas"`, `"weight_decay"`, ...); the
/// optimizer checks them when the group is added and whenever `paramGroups` changes.
public struct ParameterGroup {
    /// The parameters of the group. Fixed once the group belongs to an optimizer.
    public internal(set) var params: [Tensor]
    /// The hyper-parameters by PyTorch key (`"lr"`, `"momentum"`, `"betas"`, ...). Inside an
    /// optimizer every key of that optimizer is present.
    public var options: [String: StateValue]

    /// A group of `params`, optionally with its own learning rate and other hyper-parameters
    /// (for example `options: ["betas": [0.5, 0.999], "weight_decay": 1e-4]`).
    public init(_ params: [Tensor], lr: Double? = nil, options: [String: StateValue] = [:]) {
        self.params = params
        self.options = options
        if let lr { self.options["lr"] = .double(lr) }
    }

    /// The learning rate (`param_groups[i]['lr']`): what learning-rate schedulers change.
    /// Reading it from a group that has none yet (not added to an optimizer) is an error.
    public var lr: Double {
        get {
            guard let v = options["lr"]?.doubleValue else {
                fail("ParameterGroup.lr", "the group has no learning rate yet; pass lr: or add it to an optimizer")
            }
            return v
        }
        set { options["lr"] = .double(newValue) }
    }

    /// A hyper-parameter by PyTorch key (`group["momentum"]`), or nil if the group lacks it.
    public subscript(key: String) -> StateValue? {
        get { options[key] }
        set { options[key] = newValue }
    }

    // Typed reads for the optimizers (the keys exist once the group is inside an optimizer).
    func double(_ key: String) -> Double { options[key]?.doubleValue ?? .nan }
    func bool(_ key: String) -> Bool { options[key]?.boolValue ?? false }
    func doubles(_ key: String) -> [Double] { options[key]?.doublesValue ?? [] }
}
