extension Autograd {
    /// Whether an op applied to these inputs must be recorded.
    @inline(__always) static func shouldRecord(_ a: Tensor) -> Bool {
        gradEnabled && a.requiresGrad
    }
    @inline(__always) static func shouldRecord(_ a: Tensor, _ b: Tensor) -> Bool {
        gradEnabled && (a.requiresGrad || b.requiresGrad)
    }
    @inline(__always) static func shouldRecord(_ inputs: [Tensor]) -> Bool {
        gradEnabled && inputs.contains { $0.requiresGrad }
    }
}

extension Tensor {
    /// Attaches a backward node to this freshly computed tensor and returns it.
    ///
    /// - Parameters:
    ///   - name: the op's name (shown in errors and anomaly reports).
    ///   - inputs: the op's tensor inputs, in the order the rule returns gradients.
    ///   - saved: extra tensors the rule reads; they must not carry a graph (pass detached tensors).
    ///   - inputsSaved: whether the rule reads the inputs' values (enables in-place checks).
    @discardableResult
    func recorded(_ name: String, _ inputs: [Tensor], saved: [Tensor] = [], inputsSaved: Bool = true,
                  _ rule: @escaping Node.BackwardRule) -> Tensor {
        gradFn = Node(name: name, inputs: inputs, saved: saved, inputsSaved: inputsSaved, rule: rule)
        if Autograd.anomalyEnabled { Anomaly.checkForward(self, op: name) }
        return self
    }

    /// A tensor sharing this tensor's storage that does not require gradients and has no history
    /// (PyTorch's `detach()`).
    public func detach() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
    }
}

/// Checks for NaN and Inf while `Autograd.detectAnomaly` is on.
enum Anomaly {
    static func hasNonFinite(_ t: Tensor) -> Bool {
        switch t.dtype {
        case .float32: return t.contiguousArray(Float.self).contains { !$0.isFinite }
        case .float64: return t.contiguousArray(Double.self).contains { !$0.isFinite }
        case .int64: return false
        }
    }

    static func checkForward(_ t: Tensor, op: String) {
        if hasNonFinite(t) {
            fail("anomaly", "the forward of \(op) produced NaN or Inf in its output of shape \(shapeString(t.shape))")
        }
    }

    static func checkBackward(_ grads: [Tensor?], op: String) {
        for (i, g) in grads.enumerated() {
            if let g, hasNonFinite(g) {
                fail("anomaly", "the backward of \(op) produced NaN or Inf in the gradient of its input \(i) (shape \(shapeString(g.shape)))")
            }
        }
    }
}
