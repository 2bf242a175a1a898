/// The base class of every layer and model, in the style of PyTorch's `nn.Module`.
///
/// Subclass it, store layers and tensors in properties, and override `forward(_:)`:
/// ```swift
/// final class Generator: Module {
///     let fc1 = Linear(100, 256)
///     let fc2 = Linear(256, 784)
///     override func forward(_ z: Tensor) -> Tensor {
///         fc2(fc1(z).leakyRelu(negativeSlope: 0.2)).tanh()
///     }
/// }
/// let g = Generator()
/// let optimizer = Adam(g.parameters(), lr: 2e-4)
/// ```
/// Parameters (stored `Tensor` properties), buffers (`@Buffer` properties) and child modules
/// (stored `Module` properties, optionals and arrays of them) are found by reflection. Their names
/// are dotted paths like PyTorch's: `fc1.weight`, `bn1.running_mean`, `main.0.weight`.
open class Module {
    /// Whether the module is in training mode (the default) rather than evaluation mode.
    /// Dropout and BatchNorm behave differently in the two; switch with `train()` / `eval()`.
    public private(set) var isTraining = true

    public init() {}

    /// The computation of the module. Subclasses override this; call the module itself
    /// (`model(x)`) rather than `forward` directly.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)): forward(_:) is not implemented; override it in your subclass")
    }

    /// Applies the module to `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let output = forward(input)
        SummaryRecorder.current?.record(self, output: output)
        return output
    }

    // MARK: Structure

    /// The direct children with their names, in declaration order. Override to customise
    /// naming (as `Sequential` does).
    open func namedChildren() -> [(String, Module)] {
        var result: [(String, Module)] = []
        forEachStoredProperty { label, value in
            switch value {
            case let m as Module: result.append((label, m))
            case let list as [Module]: for (i, m) in list.enumerated() { result.append(("\(label).\(i)", m)) }
            default:
                if let m = unwrapOptional(value) as? Module { result.append((label, m)) }
            }
        }
        return result
    }

    /// This module's own parameters (not its children's), with their names.
    open func namedDirectParameters() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        forEachStoredProperty { label, value in
            if let t = value as? Tensor { result.append((label, t)) } else if let t = unwrapOptional(value) as? Tensor { result.append((label, t)) } else if let list = value as? [Tensor] {
                for (i, t) in list.enumerated() { result.append(("\(label).\(i)", t)) }
            }
        }
        return result
    }

    /// This module's own buffers (not its children's), with their names.
    open func namedDirectBuffers(includingTransient: Bool = false) -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        forEachStoredProperty { label, value in
            if let b = value as? Buffer, b.persistent || includingTransient { result.append((label, b.wrappedValue)) }
        }
        return result
    }

    /// Calls `body` with the label and value of every stored property, superclass ones first
    /// (property-wrapper storage `_name` is reported as `name`).
    private func forEachStoredProperty(_ body: (String, Any) -> Void) {
        var mirrors: [Mirror] = []
        var m: Mirror? = Mirror(reflecting: self)
        while let current = m {
            mirrors.append(current)
            m = current.superclassMirror
        }
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard var label = child.label else { continue }
                if child.value is Buffer, label.hasPrefix("_") { label.removeFirst() }
                if label == "isTraining" { continue }
                body(label, child.value)
            }
        }
    }

    /// The direct child modules.
    public func children() -> [Module] { namedChildren().map(\.1) }

    /// Every module in the tree, this one first (depth-first, declaration order).
    public func modules() -> [Module] { namedModules().map(\.1) }

    /// Every module in the tree with its dotted name ("" for this one).
    public func namedModules() -> [(String, Module)] {
        var result: [(String, Module)] = [("", self)]
        for (name, child) in namedChildren() {
            for (sub, m) in child.namedModules() { result.append((sub.isEmpty ? name : "\(name).\(sub)", m)) }
        }
        return result
    }

    /// Every parameter of the tree with its dotted name (each tensor once, like PyTorch).
    public func namedParameters() -> [(String, Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(String, Tensor)] = []
        for (prefix, m) in namedModules() {
            for (name, t) in m.namedDirectParameters() where seen.insert(ObjectIdentifier(t)).inserted {
                result.append((prefix.isEmpty ? name : "\(prefix).\(name)", t))
            }
        }
        return result
    }

    /// Every parameter of the tree: hand this list to an optimizer.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// The parameters that currently require gradients (not frozen).
    public func trainableParameters() -> [Tensor] { parameters().filter(\.requiresGrad) }

    /// Every persistent buffer of the tree with its dotted name.
    public func namedBuffers() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        for (prefix, m) in namedModules() {
            for (name, t) in m.namedDirectBuffers() { result.append((prefix.isEmpty ? name : "\(prefix).\(name)", t)) }
        }
        return result
    }

    /// Every persistent buffer of the tree.
    public func buffers() -> [Tensor] { namedBuffers().map(\.1) }

    /// Calls `body` on every module of the tree (this one first), e.g. to initialise weights:
    /// `model.apply { if let c = $0 as? Conv2D { Init.normal(c.weight, std: 0.02) } }`.
    public func apply(_ body: (Module) -> Void) {
        for m in modules() { body(m) }
    }

    // MARK: Modes

    /// Switches the whole tree to training mode (or evaluation mode with `false`).
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for m in modules() { m.isTraining = mode }
        return self
    }

    /// Switches the whole tree to evaluation mode: Dropout passes its input through and
    /// BatchNorm uses its running statistics.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Stops gradients for every parameter of the tree (Keras's `trainable = False`). Optimizers
    /// skip parameters without gradients.
    public func freeze() { for p in parameters() { p.requiresGrad = false } }

    /// Makes every parameter of the tree require gradients again.
    public func unfreeze() { for p in parameters() { p.requiresGrad = true } }

    /// Drops the gradient of every parameter of the tree (or, with `setToNone: false`, fills it
    /// with zeros in place), like PyTorch's `zero_grad()`.
    public func zeroGrad(setToNone: Bool = true) {
        for p in parameters() {
            if setToNone { p.grad = nil } else if let g = p.grad { withNoGrad { g.fill(0) } }
        }
    }
}

/// Unwraps an `Optional` hidden in an `Any`; returns nil for `.none` and the value otherwise.
func unwrapOptional(_ value: Any) -> Any? {
    let mirror = Mirror(reflecting: value)
    guard mirror.displayStyle == .optional else { return value }
    return mirror.children.first?.value
}
