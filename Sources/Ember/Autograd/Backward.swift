extension Tensor {
    /// Computes the gradient of this tensor with respect to every leaf tensor that requires
    /// gradients, and adds it to their `.grad`.
    ///
    /// - Parameters:
    ///   - gradient: the gradient of some scalar with respect to this tensor; may be omitted
    ///     for a tensor of one element (it is then 1).
    ///   - retainGraph: keep the graph so that `backward` can run through it again. Defaults to
    ///     `createGraph`. Without it, a second backward through the same graph stops with an error.
    ///   - createGraph: record the backward computation itself, so the gradients are differentiable
    ///     (higher-order derivatives, e.g. a WGAN-GP gradient penalty).
    public func backward(gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false) {
        guard requiresGrad else {
            fail("backward", "the tensor does not require grad and has no grad function (shape \(shapeString(shape))); did you forget requiresGrad = true, or compute it under withNoGrad?")
        }
        let seed: Tensor
        if let gradient {
            if gradient.shape != shape {
                fail("backward", "gradient of shape \(shapeString(gradient.shape)) does not match the tensor's shape \(shapeString(shape))")
            }
            seed = gradient
        } else {
            if count != 1 {
                fail("backward", "a gradient can be created implicitly only for tensors of one element; this one has shape \(shapeString(shape)): pass gradient:")
            }
            seed = Tensor.full(shape, 1, dtype: dtype)
        }
        Tensor.runBackward(roots: [self], seeds: [seed], retainGraph: retainGraph ?? createGraph,
                           createGraph: createGraph, inputs: nil)
    }

    nonisolated(unsafe) private static var epoch = 0

    /// The engine: one pass in reverse topological order over the nodes reachable from `roots`.
    /// With `inputs`, gradients are returned for those tensors instead of accumulated into leaves.
    @discardableResult
    static func runBackward(roots: [Tensor], seeds: [Tensor], retainGraph: Bool, createGraph: Bool,
                            inputs: [Tensor]?) -> [Tensor?] {
        var captured = [Tensor?](repeating: nil, count: inputs?.count ?? 0)
        func capture(_ t: Tensor, _ g: Tensor) -> Bool {
            guard let inputs else { return false }
            var hit = false
            for (k, x) in inputs.enumerated() where x === t {
                captured[k] = captured[k].map { $0 + g } ?? g
                hit = true
            }
            return hit
        }

        let previous = Autograd.gradEnabled
        Autograd.gradEnabled = createGraph
        defer { Autograd.gradEnabled = previous }

        epoch &+= 1
        let mark = epoch
        var order: [Node] = []
        var stack: [(Node, Int)] = []
        for (root, seed) in zip(roots, seeds) {
            guard let fn = root.gradFn else {
                if !capture(root, seed), inputs == nil, root.leafRequiresGrad {
                    accumulateLeaf(root, seed, createGraph: createGraph)
                }
                continue
            }
            if fn.rule == nil {
                fail("backward", "trying to backward through the graph a second time (or directly access saved tensors after they have been freed). The graph of \(fn.name) was released by an earlier backward(); pass retainGraph: true to the first backward if you need to go through it twice.")
            }
            fn.pendingGrad = fn.pendingGrad.map { $0 + seed } ?? seed
            if fn.visitMark != mark {
                fn.visitMark = mark
                stack.append((fn, 0))
            }
            // Iterative depth-first search: post-order puts every node after its inputs' nodes.
            while let (node, i) = stack.last {
                if i < node.inputs.count {
                    stack[stack.count - 1].1 = i + 1
                    if let next = node.inputs[i].gradFn, next.visitMark != mark {
                        next.visitMark = mark
                        stack.append((next, 0))
                    }
                } else {
                    stack.removeLast()
                    order.append(node)
                }
            }
        }

        for node in order.reversed() {
            guard let g = node.pendingGrad else {
                if !retainGraph { node.release() }
                continue
            }
            node.pendingGrad = nil
            guard let rule = node.rule else {
                fail("backward", "trying to backward through the graph a second time (or directly access saved tensors after they have been freed). The graph of \(node.name) was released by an earlier backward(); pass retainGraph: true to the first backward if you need to go through it twice.")
            }
            if let out = node.retainedOutput {
                out.grad = out.grad.map { $0 + g } ?? (createGraph ? g : g.contiguousCopy())
            }
            node.checkVersions()
            let grads = rule(g, node)
            if Autograd.anomalyEnabled { Anomaly.checkBackward(grads, op: node.name) }
            for (i, input) in node.inputs.enumerated() {
                guard i < grads.count, let gi = grads[i] else { continue }
                if gi.shape != input.shape {
                    fail("backward", "the backward of \(node.name) returned a gradient of shape \(shapeString(gi.shape)) for an input of shape \(shapeString(input.shape))")
                }
                if capture(input, gi), input.gradFn == nil { continue }
                if let fn = input.gradFn {
                    fn.pendingGrad = fn.pendingGrad.map { $0 + gi } ?? gi
                } else if input.leafRequiresGrad, inputs == nil {
                    accumulateLeaf(input, gi, createGraph: createGraph)
                }
            }
            if !retainGraph { node.release() }
        }
        return captured
    }

    /// Adds `g` to `leaf.grad`, never aliasing another tensor's storage.
    static func accumulateLeaf(_ leaf: Tensor, _ g: Tensor, createGraph: Bool) {
        if let existing = leaf.grad {
            leaf.grad = existing + g
        } else if createGraph {
            leaf.grad = g
        } else {
            let owned = g.offset == 0 && g.isContiguous && g.storage.byteCount == g.count * g.dtype.byteSize
                && isKnownUniquelyReferenced(&g.storage)
            leaf.grad = owned ? Tensor(storage: g.storage, shape: g.shape, strides: g.strides, offset: 0)
                              : g.contiguousCopy()
        }
    }
}

/// Computes the gradients of `outputs` with respect to `inputs` and returns them, without
/// touching any `.grad` (PyTorch's `torch.autograd.grad`).
///
/// With `createGraph: true` the returned gradients are themselves differentiable, which is how a
/// gradient penalty is written:
/// ```swift
/// let g = gradients(of: critic(xHat).sum(), withRespectTo: [xHat], createGraph: true)[0]!
/// let penalty = ((g.square().sum(dims: [1]).sqrt() - 1).square()).mean()
/// ```
/// - Returns: one gradient per input; nil for an input the outputs do not depend on.
public func gradients(of output: Tensor, withRespectTo inputs: [Tensor], gradient: Tensor? = nil,
                      retainGraph: Bool? = nil, createGraph: Bool = false) -> [Tensor?] {
    guard output.requiresGrad else {
        fail("gradients", "the output does not require grad and has no grad function")
    }
    let seed = gradient ?? {
        if output.count != 1 { fail("gradients", "a gradient can be created implicitly only for outputs of one element; got shape \(shapeString(output.shape))") }
        return Tensor.full(output.shape, 1, dtype: output.dtype)
    }()
    return Tensor.runBackward(roots: [output], seeds: [seed], retainGraph: retainGraph ?? createGraph,
                              createGraph: createGraph, inputs: inputs)
}
