import Foundation

/// Adam (PyTorch's `torch.optim.Adam`, same defaults and the same float32 results).
///
/// ```swift
/// let optG = Adam(generator.parameters(), lr: 2e-4, betas: (0.5, 0.999))
/// ```
///
/// For each parameter with gradient g, at its step t = 1, 2, ... (state `step`, `exp_avg` m,
/// `exp_avg_sq` v, and `max_exp_avg_sq` with amsgrad):
/// ```
/// g = g + λ·p            (weight decay λ; with decoupledWeightDecay instead p = p·(1 − lr·λ))
/// m = β1·m + (1 − β1)·g
/// v = β2·v + (1 − β2)·g²          amsgrad: v̂ = max(v̂, v), used below in place of v
/// p = p − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
/// ```
/// Note that ε is added after the bias correction of √v, as in PyTorch (some frameworks fold the
/// correction into the step size, which changes results).
public class Adam: Optimizer {
    /// Adam over several parameter groups; a key a group does not set takes these values.
    /// - Parameters:
    ///   - lr: learning rate (default 1e-3).
    ///   - betas: decay rates (β1, β2) of the running averages of the gradient and its square.
    ///   - eps: ε added to the denominator for numerical stability (default 1e-8).
    ///   - weightDecay: L2 penalty λ (added to the gradient, or decoupled, see below).
    ///   - amsgrad: use the maximum of all second-moment estimates so far (AMSGrad).
    ///   - maximize: ascend the objective instead of descending it.
    ///   - decoupledWeightDecay: shrink the parameters directly (AdamW) instead of adding λ·p to
    ///     the gradient.
    public init(_ groups: [ParameterGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false,
                decoupledWeightDecay: Bool = false) {
        super.init(groups, defaults: [
            "lr": .double(lr), "betas": .doubles([betas.0, betas.1]), "eps": .double(eps),
            "weight_decay": .double(weightDecay), "amsgrad": .bool(amsgrad), "maximize": .bool(maximize),
            "decoupled_weight_decay": .bool(decoupledWeightDecay),
        ])
    }

    /// Adam over one list of parameters (`torch.optim.Adam(model.parameters(), ...)`).
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false,
                            maximize: Bool = false, decoupledWeightDecay: Bool = false) {
        self.init([ParameterGroup(params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, maximize: maximize, decoupledWeightDecay: decoupledWeightDecay)
    }

    /// PyTorch's checks: lr ≥ 0, eps ≥ 0, 0 ≤ β < 1, weight_decay ≥ 0.
    public override func validate(_ options: [String: StateValue]) -> [(key: String, reason: String)] {
        var problems = super.validate(options)
        let eps = options["eps"]?.doubleValue ?? 0, wd = options["weight_decay"]?.doubleValue ?? 0
        if !(eps >= 0) { problems.append(("eps", "Invalid epsilon value: \(eps)")) }
        for (i, b) in (options["betas"]?.doublesValue ?? []).enumerated() where !(b >= 0 && b < 1) {
            problems.append(("betas", "Invalid beta parameter at index \(i): \(b)"))
        }
        if !(wd >= 0) { problems.append(("weight_decay", "Invalid weight_decay value: \(wd)")) }
        return problems
    }

    /// The state keys of a parameter after its first update: `step`, `exp_avg`, `exp_avg_sq`, and `max_exp_avg_sq` with amsgrad.
    public override func stateKeys(for options: [String: StateValue]) -> Set<String>? {
        options["amsgrad"]?.boolValue == true ? ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
                                              : ["step", "exp_avg", "exp_avg_sq"]
    }

    /// Updates every parameter that has a gradient.
    public override func step() {
        withNoGrad {
            for group in paramGroups {
                let lr = group.double("lr"), betas = group.doubles("betas"), amsgrad = group.bool("amsgrad")
                let keys = amsgrad ? ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["step", "exp_avg", "exp_avg_sq"]
                for p in group.params {
                    guard let g = updateGradient(p) else { continue }
                    let s = stateEntry(for: p, keys: keys)
                    let t = incrementStep(s["step"]!)
                    // Bias corrections in Double, as torch computes them from the Python float step.
                    let bc1 = 1 - Foundation.pow(betas[0], t), bc2 = 1 - Foundation.pow(betas[1], t)
                    AdamUpdate(lr: lr, beta1: betas[0], beta2: betas[1], eps: group.double("eps"),
                               weightDecay: group.double("weight_decay"), stepSize: lr / bc1,
                               bc2Sqrt: Foundation.pow(bc2, 0.5), decoupled: group.bool("decoupled_weight_decay"),
                               maximize: group.bool("maximize"), expAvg: s["exp_avg"]!, expAvgSq: s["exp_avg_sq"]!,
                               maxExpAvgSq: amsgrad ? s["max_exp_avg_sq"]! : nil)
                        .apply(to: p, grad: g)
                }
            }
        }
    }
}

/// One Adam step over one parameter (torch's `_single_tensor_adam`).
struct AdamUpdate: ElementwiseUpdate {
    let lr, beta1, beta2, eps, weightDecay, stepSize, bc2Sqrt: Double
    let decoupled, maximize: Bool
    let expAvg, expAvgSq: Tensor
    let maxExpAvgSq: Tensor?

    func run<T: TensorFloat>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ range: Range<Int>) {
        let m = expAvg.statePointer(T.self), v = expAvgSq.statePointer(T.self)
        let vmax = maxExpAvgSq?.statePointer(T.self)
        let wd = T(weightDecay), shrink = T(1 - lr * weightDecay), w = T(1 - beta1)
        let b2 = T(beta2), c2 = T(1 - beta2), bc2 = T(bc2Sqrt), e = T(eps), negStep = T(-stepSize)
        let coupledDecay = weightDecay != 0 && !decoupled, decoupledDecay = weightDecay != 0 && decoupled
        if T.self == Float.self && vmax == nil && !maximize {
            let f = { (x: UnsafeMutablePointer<T>) in UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self) }
            let lo = range.lowerBound
            VectorKernels.adam(range.count, f(p) + lo, UnsafeRawPointer(g).assumingMemoryBound(to: Float.self) + lo,
                               f(m) + lo, f(v) + lo, w1: Float(w), b2: Float(b2), c2: Float(c2),
                               negStep: Float(negStep), bc2: Float(bc2), eps: Float(e), wd: Float(wd),
                               shrink: Float(shrink), coupled: coupledDecay, decoupled: decoupledDecay)
            return
        }
        for i in range {
            var gi = maximize ? -g[i] : g[i]
            var pi = p[i]
            if decoupledDecay { pi = pi * shrink }                      // p.mul_(1 − lr·λ)
            if coupledDecay { gi = fusedMultiplyAdd(wd, pi, gi) }       // g.add(p, alpha: λ)
            let mi = torchLerp(m[i], gi, w)                             // m.lerp_(g, 1 − β1)
            m[i] = mi
            var vi = fusedMultiplyAdd(c2 * gi, gi, v[i] * b2)           // v.mul_(β2).addcmul_(g, g, value: 1 − β2)
            v[i] = vi
            if let vmax {
                vi = torchMaximum(vmax[i], vi)
                vmax[i] = vi
            }
            let denom = vi.squareRoot() / bc2 + e                       // (v.sqrt() / √bc2).add_(ε)
            p[i] = pi + (negStep * mi) / denom                          // p.addcdiv_(m, denom, value: −lr/bc1)
        }
    }
}
