/// Adagrad (PyTorch's `torch.optim.Adagrad`, same defaults and the same float32 results).
///
/// ```swift
/// let opt = Adagrad(model.parameters(), lr: 0.01)
/// ```
///
/// Unlike the other optimizers, its state exists from construction: `sum` starts at
/// `initialAccumulatorValue` and `step` at 0. For each parameter with gradient g, at step t:
/// ```
/// g = g + λ·p                       (if weight decay λ ≠ 0)
/// clr = lr / (1 + (t − 1)·lrDecay)
/// sum = sum + g²
/// p = p − clr · g / (√sum + ε)
/// ```
public final class Adagrad: Optimizer {
    /// Adagrad over several parameter groups; a key a group does not set takes these values.
    /// - Parameters:
    ///   - lr: learning rate (PyTorch's default 1e-2).
    ///   - lrDecay: learning-rate decay per step.
    ///   - weightDecay: L2 penalty λ added to the gradient.
    ///   - initialAccumulatorValue: the starting value of the sum of squared gradients.
    ///   - eps: ε added to the denominator (default 1e-10).
    ///   - maximize: ascend the objective instead of descending it.
    public init(_ groups: [ParameterGroup], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false) {
        super.init(groups, defaults: [
            "lr": .double(lr), "lr_decay": .double(lrDecay), "eps": .double(eps),
            "weight_decay": .double(weightDecay), "initial_accumulator_value": .double(initialAccumulatorValue),
            "maximize": .bool(maximize),
        ])
    }

    /// Adagrad over one list of parameters (`torch.optim.Adagrad(model.parameters(), ...)`).
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                            initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false) {
        self.init([ParameterGroup(params)], lr: lr, lrDecay: lrDecay, weightDecay: weightDecay,
                  initialAccumulatorValue: initialAccumulatorValue, eps: eps, maximize: maximize)
    }

    /// PyTorch's checks: lr, lr_decay, weight_decay, initial_accumulator_value and eps ≥ 0.
    public override func validate(_ options: [String: StateValue]) -> [(key: String, reason: String)] {
        var problems = super.validate(options)
        for key in ["lr_decay", "weight_decay", "initial_accumulator_value", "eps"] {
            let v = options[key]?.doubleValue ?? 0
            if !(v >= 0) { problems.append((key, "Invalid \(key == "eps" ? "epsilon" : key) value: \(v)")) }
        }
        return problems
    }

    /// The state keys of a parameter after its first update: `step` and `sum`.
    public override func stateKeys(for options: [String: StateValue]) -> Set<String>? { ["step", "sum"] }

    /// Creates `step` = 0 and `sum` = initial_accumulator_value for each new parameter.
    public override func createInitialState(for param: Tensor, group: ParameterGroup) {
        setState(["step": Tensor(0.0, dtype: .float32),
                  "sum": Tensor.full(param.shape, group.double("initial_accumulator_value"), dtype: param.dtype)],
                 for: param)
    }

    /// Updates every parameter that has a gradient.
    public override func step() {
        withNoGrad {
            for group in paramGroups {
                let lr = group.double("lr"), lrDecay = group.double("lr_decay")
                for p in group.params {
                    guard let g = updateGradient(p) else { continue }
                    if state[ObjectIdentifier(p)] == nil { createInitialState(for: p, group: group) }
                    let s = state[ObjectIdentifier(p)]!
                    let t = incrementStep(s["step"]!)
                    AdagradUpdate(clr: lr / (1 + (t - 1) * lrDecay), eps: group.double("eps"),
                                  weightDecay: group.double("weight_decay"), maximize: group.bool("maximize"),
                                  sum: s["sum"]!)
                        .apply(to: p, grad: g)
                }
            }
        }
    }
}

/// One Adagrad step over one parameter (torch's `_single_tensor_adagrad`, dense gradients).
struct AdagradUpdate: ElementwiseUpdate {
    let clr, eps, weightDecay: Double
    let maximize: Bool
    let sum: Tensor

    func run<T: TensorFloat>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ range: Range<Int>) {
        let acc = sum.statePointer(T.self)
        let wd = T(weightDecay), e = T(eps), negCLR = T(-clr)
        let decay = weightDecay != 0
        for i in range {
            var gi = maximize ? -g[i] : g[i]
            if decay { gi = fusedMultiplyAdd(wd, p[i], gi) }     // g.add(p, alpha: λ)
            let s = fusedMultiplyAdd(gi, gi, acc[i])             // sum.addcmul_(g, g, value: 1)
            acc[i] = s
            let std = s.squareRoot() + e                         // sum.sqrt().add_(ε)
            p[i] = p[i] + (negCLR * gi) / std                    // p.addcdiv_(g, std, value: −clr)
        }
    }
}
