/// RMSprop (PyTorch's `torch.optim.RMSprop`, same defaults and the same float32 results).
///
/// ```swift
/// let opt = RMSprop(critic.parameters(), lr: 5e-5)      // WGAN
/// ```
///
/// For each parameter with gradient g (state `step`, `square_avg` s, `momentum_buffer` b if
/// momentum > 0, `grad_avg` a if centered):
/// ```
/// g = g + λ·p                                    (if weight decay λ ≠ 0)
/// s = α·s + (1 − α)·g²
/// centered: a = α·a + (1 − α)·g;  d = √(s − a²) + ε      else d = √s + ε
/// momentum: b = μ·b + g/d;  p = p − lr·b                 else p = p − lr·g/d
/// ```
public final class RMSprop: Optimizer {
    /// RMSprop over several parameter groups; a key a group does not set takes these values.
    /// - Parameters:
    ///   - lr: learning rate (PyTorch's default 1e-2).
    ///   - alpha: smoothing constant α of the squared-gradient average.
    ///   - eps: ε added to the denominator.
    ///   - weightDecay: L2 penalty λ added to the gradient.
    ///   - momentum: momentum factor μ.
    ///   - centered: normalise by the estimated variance of the gradient instead of its
    ///     uncentered second moment.
    ///   - maximize: ascend the objective instead of descending it.
    public init(_ groups: [ParameterGroup], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false, maximize: Bool = false) {
        super.init(groups, defaults: [
            "lr": .double(lr), "momentum": .double(momentum), "alpha": .double(alpha), "eps": .double(eps),
            "centered": .bool(centered), "weight_decay": .double(weightDecay), "maximize": .bool(maximize),
        ])
    }

    /// RMSprop over one list of parameters (`torch.optim.RMSprop(model.parameters(), ...)`).
    public convenience init(_ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8,
                            weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false,
                            maximize: Bool = false) {
        self.init([ParameterGroup(params)], lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay,
                  momentum: momentum, centered: centered, maximize: maximize)
    }

    /// PyTorch's checks: lr, eps, momentum, weight_decay and alpha ≥ 0.
    public override func validate(_ options: [String: StateValue]) -> [(key: String, reason: String)] {
        var problems = super.validate(options)
        for (key, name) in [("eps", "epsilon"), ("momentum", "momentum"), ("weight_decay", "weight_decay"), ("alpha", "alpha")] {
            let v = options[key]?.doubleValue ?? 0
            if !(v >= 0) { problems.append((key, "Invalid \(name) value: \(v)")) }
        }
        return problems
    }

    /// The state keys of a parameter after its first update: `step`, `square_avg`, plus `momentum_buffer` (momentum > 0) and `grad_avg` (centered).
    public override func stateKeys(for options: [String: StateValue]) -> Set<String>? {
        Set(keys(momentum: options["momentum"]?.doubleValue ?? 0, centered: options["centered"]?.boolValue ?? false))
    }

    private func keys(momentum: Double, centered: Bool) -> [String] {
        ["step", "square_avg"] + (momentum > 0 ? ["momentum_buffer"] : []) + (centered ? ["grad_avg"] : [])
    }

    /// Updates every parameter that has a gradient.
    public override func step() {
        withNoGrad {
            for group in paramGroups {
                let momentum = group.double("momentum"), centered = group.bool("centered")
                let keys = keys(momentum: momentum, centered: centered)
                for p in group.params {
                    guard let g = updateGradient(p) else { continue }
                    let s = stateEntry(for: p, keys: keys)
                    _ = incrementStep(s["step"]!)
                    RMSpropUpdate(lr: group.double("lr"), alpha: group.double("alpha"), eps: group.double("eps"),
                                  weightDecay: group.double("weight_decay"), momentum: momentum,
                                  maximize: group.bool("maximize"), squareAvg: s["square_avg"]!,
                                  gradAvg: centered ? s["grad_avg"]! : nil,
                                  buffer: momentum > 0 ? s["momentum_buffer"]! : nil)
                        .apply(to: p, grad: g)
                }
            }
        }
    }
}

/// One RMSprop step over one parameter (torch's `_single_tensor_rmsprop`).
struct RMSpropUpdate: ElementwiseUpdate {
    let lr, alpha, eps, weightDecay, momentum: Double
    let maximize: Bool
    let squareAvg: Tensor
    let gradAvg, buffer: Tensor?

    func run<T: TensorFloat>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ range: Range<Int>) {
        let sq = squareAvg.statePointer(T.self), ga = gradAvg?.statePointer(T.self), buf = buffer?.statePointer(T.self)
        let wd = T(weightDecay), a = T(alpha), c = T(1 - alpha), e = T(eps), mu = T(momentum), negLR = T(-lr)
        let decay = weightDecay != 0
        for i in range {
            var gi = maximize ? -g[i] : g[i]
            if decay { gi = fusedMultiplyAdd(wd, p[i], gi) }            // g.add(p, alpha: λ)
            let s = fusedMultiplyAdd(c * gi, gi, sq[i] * a)             // s.mul_(α).addcmul_(g, g, value: 1 − α)
            sq[i] = s
            var avg: T
            if let ga {
                let mean = torchLerp(ga[i], gi, c)                      // a.lerp_(g, 1 − α)
                ga[i] = mean
                avg = fusedMultiplyAdd(-mean, mean, s).squareRoot()     // s.addcmul(a, a, value: −1).sqrt_()
            } else {
                avg = s.squareRoot()
            }
            avg = avg + e
            if let buf {
                let b = buf[i] * mu + gi / avg                          // b.mul_(μ).addcdiv_(g, avg)
                buf[i] = b
                p[i] = fusedMultiplyAdd(negLR, b, p[i])                 // p.add_(b, alpha: −lr)
            } else {
                p[i] = p[i] + (negLR * gi) / avg                        // p.addcdiv_(g, avg, value: −lr)
            }
        }
    }
}
