/// Everything an optimizer needs to resume training, laid out like PyTorch's
/// `optimizer.state_dict()`:
///
/// ```
/// state:        [0: ["step": 0-d float32, "exp_avg": ..., "exp_avg_sq": ...], 1: [...], ...]
/// paramGroups:  [["lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-08, ..., "params": [0, 1, 2]]]
/// ```
///
/// Parameters are numbered by their position across all groups, in order; a parameter that has
/// no state yet (never updated) has no entry in `state`. Hyper-parameters use PyTorch's keys.
/// PyTorch's implementation switches (`foreach`, `fused`, `capturable`, `differentiable`) are not
/// written; when loading they are accepted if false.
public struct OptimizerStateDict {
    /// Per-parameter state by parameter index (`exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`,
    /// `momentum_buffer`, `square_avg`, `grad_avg`, `sum`, and `step` as a 0-d float32 tensor).
    public var state: [Int: [String: Tensor]]
    /// One dictionary per group: its hyper-parameters plus `"params"`, the list of its indices.
    public var paramGroups: [[String: StateValue]]

    /// A state dict from its two parts.
    public init(state: [Int: [String: Tensor]], paramGroups: [[String: StateValue]]) {
        self.state = state
        self.paramGroups = paramGroups
    }
}

extension Optimizer {
    /// The optimizer's state and hyper-parameters (`optimizer.state_dict()`). The tensors are
    /// copies: later steps do not change a state dict already taken.
    public func stateDict() -> OptimizerStateDict {
        var out = OptimizerStateDict(state: [:], paramGroups: [])
        var index = 0
        for group in paramGroups {
            var packed = group.options
            packed["params"] = .ints(Array(index..<(index + group.params.count)))
            out.paramGroups.append(packed)
            for p in group.params {
                if let s = state[ObjectIdentifier(p)], !s.isEmpty {
                    out.state[index] = s.mapValues { $0.contiguousCopy() }
                }
                index += 1
            }
        }
        return out
    }

    /// Checks `dict` against this optimizer without changing anything: the problems that would
    /// make `loadStateDict` throw, and what it would apply.
    func checkStateDict(_ dict: OptimizerStateDict) -> (problems: [StateDictLoadError.Problem], groups: [ParameterGroup], params: [Int: (param: Tensor, group: Int)]) {
        var problems: [StateDictLoadError.Problem] = []
        if dict.paramGroups.count != paramGroups.count {
            return ([.groupCount(expected: paramGroups.count, found: dict.paramGroups.count)], paramGroups, [:])
        }
        var newGroups = paramGroups
        var paramForIndex: [Int: (param: Tensor, group: Int)] = [:]
        for (g, saved) in dict.paramGroups.enumerated() {
            let context = "param_groups[\(g)]"
            var options = saved
            options["params"] = nil
            problems += resolveOptions(&options, context: context)
            newGroups[g].options = options
            guard let ids = saved["params"]?.intsValue else {
                problems.append(saved["params"] == nil ? .missingKey(context: context, key: "params")
                                : .invalidValue(context: context, key: "params", reason: "expected a list of integers"))
                continue
            }
            if ids.count != paramGroups[g].params.count {
                problems.append(.groupSize(group: g, expected: paramGroups[g].params.count, found: ids.count))
                continue
            }
            for (id, p) in zip(ids, paramGroups[g].params) {
                if paramForIndex[id] != nil { problems.append(.duplicateParameterIndex(id)) }
                paramForIndex[id] = (p, g)
            }
        }
        for (index, entry) in dict.state.sorted(by: { $0.key < $1.key }) {
            guard let (p, g) = paramForIndex[index] else {
                problems.append(.unknownParameterIndex(index))
                continue
            }
            problems += checkState(entry, index: index, param: p, options: newGroups[g].options)
        }
        return (problems, newGroups, paramForIndex)
    }

    /// Restores state and hyper-parameters saved by `stateDict()` (or converted from PyTorch).
    ///
    /// The saved groups are matched to this optimizer's groups in order, and the saved parameter
    /// indices (each group's `"params"`) to this optimizer's parameters in order, as in PyTorch.
    /// Everything is checked first: the group count and sizes, the hyper-parameter keys, types
    /// and ranges, the state keys each parameter needs, and each state tensor's shape and dtype.
    /// On any problem it throws a `StateDictLoadError` listing all of them and changes nothing.
    /// The loaded tensors are copied, so the state dict can be reused.
    public func loadStateDict(_ dict: OptimizerStateDict) throws {
        let (problems, newGroups, paramForIndex) = checkStateDict(dict)
        if !problems.isEmpty { throw StateDictLoadError(owner: name, problems: problems) }

        // Everything checked: apply.
        changingGroups = true
        paramGroups = newGroups
        changingGroups = false
        state = [:]
        for (index, entry) in dict.state where !entry.isEmpty {
            let p = paramForIndex[index]!.param
            var copied: [String: Tensor] = [:]
            for (key, t) in entry {  // `step` becomes a 0-d float32 tensor even if saved as shape [1]
                copied[key] = key == "step" ? Tensor(t.doubleItem(), dtype: .float32) : t.contiguousCopy()
            }
            state[ObjectIdentifier(p)] = copied
        }
    }

    /// The problems of one parameter's saved state.
    private func checkState(_ entry: [String: Tensor], index: Int, param p: Tensor,
                            options: [String: StateValue]) -> [StateDictLoadError.Problem] {
        var problems: [StateDictLoadError.Problem] = []
        let context = "state[\(index)]"
        if !entry.isEmpty, let expected = stateKeys(for: options) {
            for key in expected.subtracting(entry.keys).sorted() { problems.append(.missingKey(context: context, key: key)) }
            for key in Set(entry.keys).subtracting(expected).sorted() { problems.append(.unknownKey(context: context, key: key)) }
        }
        for (key, t) in entry.sorted(by: { $0.key < $1.key }) {
            if key == "step" {  // a per-parameter step counter: one float32 value, as PyTorch keeps it
                if t.count != 1 { problems.append(.stateShape(index: index, key: key, expected: [], found: t.shape)) }
                if t.dtype != .float32 { problems.append(.stateDType(index: index, key: key, expected: .float32, found: t.dtype)) }
            } else {
                if t.shape != p.shape { problems.append(.stateShape(index: index, key: key, expected: p.shape, found: t.shape)) }
                if t.dtype != p.dtype { problems.append(.stateDType(index: index, key: key, expected: p.dtype, found: t.dtype)) }
            }
        }
        return problems
    }
}
