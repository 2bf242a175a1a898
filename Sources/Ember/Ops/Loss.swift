import Foundation

/// How a loss combines its per-element values (PyTorch's `reduction`).
public enum Reduction: String, Sendable {
    /// The mean over all elements (the default).
    case mean
    /// The sum over all elements.
    case sum
    /// No reduction: one loss value per element.
    case none
}

extension Tensor {
    func reduced(_ r: Reduction) -> Tensor {
        switch r {
        case .mean: return mean()
        case .sum: return sum()
        case .none: return self
        }
    }
}

private func checkSameShape(_ op: String, _ input: Tensor, _ target: Tensor) {
    if input.shape != target.shape {
        fail(op, "input shape \(shapeString(input.shape)) and target shape \(shapeString(target.shape)) differ")
    }
    if input.dtype != target.dtype { fail(op, "input dtype \(input.dtype) and target dtype \(target.dtype) differ") }
}

/// Mean squared error: reduce((input - target)²).
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("mseLoss", input, target)
    return (input - target).square().reduced(reduction)
}

/// Mean absolute error: reduce(|input - target|).
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("l1Loss", input, target)
    return (input - target).abs().reduced(reduction)
}

/// PyTorch's floor for p(1 - p) in the BCE gradient: 1e-12 rounded to float32.
private let bceEpsilon = Double(Float(1e-12))

/// Binary cross-entropy on probabilities: -[y·log x + (1 - y)·log(1 - x)], with each log clamped
/// at -100 as PyTorch's `BCELoss` does, so that x = 0 or 1 gives a finite loss. `weight`, if
/// given, multiplies each element's loss (broadcast to the input's shape).
public func binaryCrossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil,
                               reduction: Reduction = .mean) -> Tensor {
    checkSameShape("binaryCrossEntropy", input, target)
    let x = input.detach(), y = target.detach()
    var loss = binaryForward(x, y, "binaryCrossEntropy",
        { x, y in -(y * Swift.max(Float.log(x), -100) + (1 - y) * Swift.max(Float.log(1 - x), -100)) },
        { x, y in -(y * Swift.max(Double.log(x), -100) + (1 - y) * Swift.max(Double.log(1 - x), -100)) })
    if Autograd.shouldRecord(input, target) {
        loss.recorded("binaryCrossEntropy", [input, target]) { g, n in
            let x = n.input(0), y = n.input(1)
            // PyTorch's rule: ∂/∂x = (x - y) / max((1 - x)·x, 1e-12); ∂/∂y = log(1 - x) - log(x) (clamped)
            let gx = n.needsGrad(0) ? g * (x - y) / ((1 - x) * x).clamp(min: bceEpsilon) : nil
            let gy = n.needsGrad(1) ? g * ((1 - x).log().clamp(min: -100) - x.log().clamp(min: -100)) : nil
            return [gx, gy]
        }
    }
    if let weight { loss = loss * weight }
    return loss.reduced(reduction)
}

/// Binary cross-entropy on logits, computed stably for any logit (PyTorch's
/// `BCEWithLogitsLoss`, Paddle's `sigmoid_cross_entropy_with_logits`):
/// (1 - y)·x + log(1 + e^-x), evaluated as (1 - y)·x + m + log(e^-m + e^(-x-m)) with m = max(-x, 0).
/// `posWeight` multiplies the positive term (broadcast over the last dimension).
public func binaryCrossEntropyWithLogits(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil,
                                         posWeight: Tensor? = nil, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("binaryCrossEntropyWithLogits", input, target)
    var loss: Tensor
    if let posWeight {
        // (1 - y)·x + (1 + (p - 1)·y)·softplus(-x)
        let lw = (posWeight - 1) * target + 1
        loss = (1 - target) * input + lw * input.negated().softplus()
    } else {
        let x = input.detach(), y = target.detach()
        loss = binaryForward(x, y, "binaryCrossEntropyWithLogits",
            { x, y in let m = Swift.max(-x, 0); return (1 - y) * x + m + Float.log(Float.exp(-m) + Float.exp(-x - m)) },
            { x, y in let m = Swift.max(-x, 0); return (1 - y) * x + m + Double.log(Double.exp(-m) + Double.exp(-x - m)) })
        if Autograd.shouldRecord(input, target) {
            loss.recorded("binaryCrossEntropyWithLogits", [input, target]) { g, n in
                let x = n.input(0), y = n.input(1)
                // ∂/∂x = σ(x) - y ; ∂/∂y = -x
                return [n.needsGrad(0) ? g * (x.sigmoid() - y) : nil, n.needsGrad(1) ? g * x.negated() : nil]
            }
        }
    }
    if let weight { loss = loss * weight }
    return loss.reduced(reduction)
}

/// Negative log-likelihood of class indices: -weight[t]·input[i, t] with t = target[i], for
/// log-probabilities `input` of shape [N, C] and int64 `target` of shape [N] (PyTorch's
/// `NLLLoss`). Entries equal to `ignoreIndex` contribute nothing; the mean divides by the summed
/// weights of the other entries (their count without `weight`).
public func nllLoss(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
                    ignoreIndex: Int = -100) -> Tensor {
    if input.rank != 2 || target.rank != 1 || target.shape[0] != input.shape[0] {
        fail("nllLoss", "expected input [N, C] and target [N]; got \(shapeString(input.shape)) and \(shapeString(target.shape))")
    }
    if target.dtype != .int64 { fail("nllLoss", "target must hold int64 class indices, got \(target.dtype)") }
    let classes = target.toIntArray()
    let c = input.shape[1]
    for t in classes where t != ignoreIndex && (t < 0 || t >= c) {
        fail("nllLoss", "target \(t) is out of bounds for \(c) classes")
    }
    if let weight, weight.shape != [c] { fail("nllLoss", "weight shape \(shapeString(weight.shape)) must be [\(c)]") }
    let classWeights = weight?.toDoubleArray()
    let rowWeights = classes.map { t in t == ignoreIndex ? 0 : (classWeights?[t] ?? 1) }
    var picked = input.pickColumns(classes, ignoreIndex: ignoreIndex).negated()
    if classWeights != nil { picked = picked * Tensor(rowWeights, shape: [classes.count], dtype: input.dtype) }
    switch reduction {
    case .none: return picked
    case .sum: return picked.sum()
    case .mean: return picked.sum() / rowWeights.reduce(0, +)
    }
}

/// Cross-entropy between logits [N, C] and either int64 class indices [N] or class
/// probabilities [N, C] (PyTorch's `CrossEntropyLoss`): nllLoss(logSoftmax(input)) for indices,
/// -Σ_c w_c·p_c·logSoftmax(input)_c for probabilities. `weight` gives each class a weight.
public func crossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
                         ignoreIndex: Int = -100) -> Tensor {
    if input.rank != 2 { fail("crossEntropy", "expected logits [N, C], got \(shapeString(input.shape))") }
    let logp = input.logSoftmax(dim: 1)
    if target.dtype == .int64 {
        return nllLoss(logp, target, weight: weight, reduction: reduction, ignoreIndex: ignoreIndex)
    }
    checkSameShape("crossEntropy", input, target)
    let weighted = weight.map { target * $0 } ?? target
    return (weighted * logp).sum(dim: 1).negated().reduced(reduction)
}

extension Tensor {
    /// out[i] = self[i, columns[i]] for a [N, C] tensor (0 where the column is `ignoreIndex`).
    func pickColumns(_ columns: [Int], ignoreIndex: Int) -> Tensor {
        let x = isContiguous ? self : contiguousCopy()
        let n = shape[0], c = shape[1]
        let out = Tensor.zeros([n], dtype: dtype)
        for i in 0..<n where columns[i] != ignoreIndex {
            switch dtype {
            case .float32: out.basePointer(Float.self)[i] = x.basePointer(Float.self)[i * c + columns[i]]
            case .float64: out.basePointer(Double.self)[i] = x.basePointer(Double.self)[i * c + columns[i]]
            case .int64: fail("pickColumns", "needs floating point")
            }
        }
        if Autograd.shouldRecord(self) {
            out.recorded("pickColumns", [self], inputsSaved: false) { g, _ in
                [g.placeColumns(columns, width: c, ignoreIndex: ignoreIndex)]
            }
        }
        return out
    }

    /// The inverse scatter of `pickColumns`: a [N, width] tensor of zeros with self[i] at
    /// (i, columns[i]).
    func placeColumns(_ columns: [Int], width c: Int, ignoreIndex: Int) -> Tensor {
        let g = isContiguous ? self : contiguousCopy()
        let n = shape[0]
        let out = Tensor.zeros([n, c], dtype: dtype)
        for i in 0..<n where columns[i] != ignoreIndex {
            switch dtype {
            case .float32: out.basePointer(Float.self)[i * c + columns[i]] = g.basePointer(Float.self)[i]
            case .float64: out.basePointer(Double.self)[i * c + columns[i]] = g.basePointer(Double.self)[i]
            case .int64: fail("placeColumns", "needs floating point")
            }
        }
        if Autograd.shouldRecord(self) {
            out.recorded("placeColumns", [self], inputsSaved: false) { gg, _ in
                [gg.pickColumns(columns, ignoreIndex: ignoreIndex)]
            }
        }
        return out
    }
}
