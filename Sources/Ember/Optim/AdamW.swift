/// Adam with decoupled weight decay (PyTorch's `torch.optim.AdamW`): before each update the
/// parameters shrink by `p = p·(1 − lr·λ)` instead of λ·p being added to the gradient. The
/// default weight decay is 0.01, as in PyTorch. State and results are those of
/// `Adam(..., decoupledWeightDecay: true)`.
///
/// ```swift
/// let opt = AdamW(model.parameters(), lr: 3e-4, weightDecay: 0.05)
/// ```
public final class AdamW: Adam {
    /// AdamW over several parameter groups; a key a group does not set takes these values.
    /// See `Adam` for the meaning of each hyper-parameter.
    public init(_ groups: [ParameterGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) {
        super.init(groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
                   maximize: maximize, decoupledWeightDecay: true)
    }

    /// AdamW over one list of parameters (`torch.optim.AdamW(model.parameters(), ...)`).
    public convenience init(_ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false,
                            maximize: Bool = false) {
        self.init([ParameterGroup(params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, maximize: maximize)
    }
}
