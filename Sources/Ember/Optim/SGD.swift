/// Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay
/// (PyTorch's `torch.optim.SGD`, same defaults and the same float32 results).
///
/// ```swift
/// let opt = SGD(model.parameters(), lr: 0.1, momentum: 0.9, weightDecay: 5e-4)
/// ```
///
/// For each parameter with gradient g (λ = weight decay, μ = momentum, τ = dampening):
/// ```
/// g = g + λ·p                                       (if λ ≠ 0)
/// b = g on the first step, else μ·b + (1 − τ)·g      (if μ ≠ 0; state "momentum_buffer")
/// g = nesterov ? g + μ·b : b
/// p = p − lr·g
/// ```
public final class SGD: Optimizer {
    /// SGD over several parameter groups; a key a group does not set takes these values.
    /// - Parameters:
    ///   - lr: learning rate (PyTorch's default 1e-3).
    ///   - momentum: momentum factor μ (0: plain SGD, no state).
    ///   - dampening: dampening τ of the momentum (ignored on the first step, as in PyTorch).
    ///   - weightDecay: L2 penalty λ added to the gradient.
    ///   - nesterov: Nesterov momentum; needs `momentum > 0` and `dampening == 0`.
    ///   - maximize: ascend the objective instead of descending it.
    public init(_ groups: [ParameterGroup], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        super.init(groups, defaults: [
            "lr": .double(lr), "momentum": .double(momentum), "dampening": .double(dampening),
            "weight_decay": .double(weightDecay), "nesterov": .bool(nesterov), "maximize": .bool(maximize),
        ])
    }

    /// SGD over one list of parameters (`torch.optim.SGD(model.parameters(), ...)`).
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        self.init([ParameterGroup(params)], lr: lr, momentum: momentum, dampening: dampening,
                  weightDecay: weightDecay, nesterov: nesterov, maximize: maximize)
    }

    /// PyTorch's checks: lr, momentum, weight_decay ≥ 0; nesterov needs momentum > 0 and dampening 0.
    public override func validate(_ options: [String: StateValue]) -> [(key: String, reason: String)] {
        var problems = super.validate(options)
        let momentum = options["momentum"]?.doubleValue ?? 0, dampening = options["dampening"]?.doubleValue ?? 0
        let wd = options["weight_decay"]?.doubleValue ?? 0
        if !(momentum >= 0) { problems.append(("momentum", "Invalid momentum value: \(momentum)")) }
        if !(wd >= 0) { problems.append(("weight_decay", "Invalid weight_decay value: \(wd)")) }
        if options["nesterov"]?.boolValue == true && (momentum <= 0 || dampening != 0) {
            problems.append(("nesterov", "Nesterov momentum requires a momentum and zero dampening"))
        }
        return problems
    }

    /// The state keys of a parameter after its first update: `momentum_buffer` when momentum ≠ 0, otherwise none.
    public override func stateKeys(for options: [String: StateValue]) -> Set<String>? {
        (options["momentum"]?.doubleValue ?? 0) != 0 ? ["momentum_buffer"] : []
    }

    /// Updates every parameter that has a gradient.
    public override func step() {
        withNoGrad {
            for group in paramGroups {
                let momentum = group.double("momentum")
                for p in group.params {
                    guard let g = updateGradient(p) else { continue }
                    var buffer: Tensor?
                    var first = false
                    if momentum != 0 {
                        let id = ObjectIdentifier(p)
                        if let b = state[id]?["momentum_buffer"] {
                            buffer = b
                        } else {  // PyTorch: buf = clone(g) on the first step
                            buffer = Tensor(uninitializedShape: p.shape, dtype: p.dtype)
                            first = true
                            state[id, default: [:]]["momentum_buffer"] = buffer
                        }
                    }
                    SGDUpdate(lr: group.double("lr"), momentum: momentum, dampening: group.double("dampening"),
                              weightDecay: group.double("weight_decay"), nesterov: group.bool("nesterov"),
                              maximize: group.bool("maximize"), buffer: buffer, firstStep: first)
                        .apply(to: p, grad: g)
                }
            }
        }
    }
}

/// One SGD step over one parameter (torch's `_single_tensor_sgd`).
struct SGDUpdate: ElementwiseUpdate {
    let lr, momentum, dampening, weightDecay: Double
    let nesterov, maximize: Bool
    let buffer: Tensor?
    let firstStep: Bool

    func run<T: TensorFloat>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ range: Range<Int>) {
        let wd = T(weightDecay), mu = T(momentum), keep = T(1 - dampening), negLR = T(-lr)
        let decay = weightDecay != 0
        let buf = buffer?.statePointer(T.self)
        for i in range {
            var d = maximize ? -g[i] : g[i]
            if decay { d = fusedMultiplyAdd(wd, p[i], d) }                     // grad.add(p, alpha: λ)
            if let buf {
                let b = firstStep ? d : fusedMultiplyAdd(keep, d, buf[i] * mu)  // buf.mul_(μ).add_(g, alpha: 1−τ)
                buf[i] = b
                d = nesterov ? fusedMultiplyAdd(mu, b, d) : b                   // g.add(buf, alpha: μ)
            }
            p[i] = fusedMultiplyAdd(negLR, d, p[i])                             // p.add_(g, alpha: −lr)
        }
    }
}
