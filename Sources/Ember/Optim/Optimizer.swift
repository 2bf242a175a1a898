/// The base class of all optimizers (PyTorch's `torch.optim.Optimizer`).
///
/// An optimizer holds parameter groups (`paramGroups`, each with its own hyper-parameters) and
/// per-parameter state (Adam's moment estimates, SGD's momentum buffer, ...). The training loop is
/// the PyTorch one:
///
/// ```swift
/// let opt = Adam(model.parameters(), lr: 2e-4, betas: (0.5, 0.999))
/// for (x, y) in batches {
///     opt.zeroGrad()
///     let loss = crossEntropy(model(x), y)
///     loss.backward()
///     opt.step()
/// }
/// ```
///
/// `step()` updates every parameter that has a gradient in place (parameters whose `grad` is nil
/// are skipped), without recording anything for autograd. `stateDict()` and `loadStateDict(_:)`
/// save and restore everything needed to resume training.
///
/// To write your own optimizer, subclass it, pass your defaults to `init(_:defaults:)`, and
/// override `step()` (and, for checked state dicts, `validate(_:)` and `stateKeys(for:)`).
open class Optimizer {
    /// The parameter groups with their hyper-parameters (`optimizer.param_groups`). Change
    /// hyper-parameters in place (`opt.paramGroups[0].lr = 1e-4`); add groups with
    /// `addParamGroup(_:)`. Changes are checked: an unknown key or an invalid value stops.
    public var paramGroups: [ParameterGroup] {
        didSet { if !resolvingGroups { paramGroupsChanged(from: oldValue) } }
    }
    /// The hyper-parameters given to the initialiser, used for keys a group does not set
    /// (`optimizer.defaults`).
    public let defaults: [String: StateValue]
    /// Per-parameter state, keyed by the parameter object.
    var state: [ObjectIdentifier: [String: Tensor]] = [:]
    /// Set while the optimizer itself adds or replaces groups.
    var changingGroups = false
    /// Set while `paramGroupsChanged` writes back the checked groups.
    private var resolvingGroups = false

    /// Builds an optimizer over `groups`; every group gets the `defaults` it does not set itself.
    /// - Parameters:
    ///   - groups: the parameter groups (at least one parameter overall; no parameter twice).
    ///   - defaults: every hyper-parameter of the optimizer (PyTorch's key names) with its value.
    public init(_ groups: [ParameterGroup], defaults: KeyValuePairs<String, StateValue>) {
        self.defaults = Dictionary(uniqueKeysWithValues: defaults.map { ($0.key, $0.value) })
        self.paramGroups = []
        if groups.allSatisfy({ $0.params.isEmpty }) { fail(name, "optimizer got an empty parameter list") }
        for g in groups { addParamGroup(g) }
    }

    /// The optimizer's name in messages ("Adam", "SGD", ...).
    public var name: String { String(describing: type(of: self)) }

    /// All parameters of all groups, in order (their positions are the state-dict indices).
    public var parameters: [Tensor] { paramGroups.flatMap(\.params) }

    /// Updates the parameters from their gradients (one optimisation step). Subclasses override it.
    open func step() {
        fail("\(name).step", "the optimizer does not implement step()")
    }

    /// Evaluates `closure` (which should zero the gradients, compute the loss and call
    /// `backward()`), then takes a step; returns the loss. PyTorch's `step(closure)`.
    @discardableResult
    public func step(_ closure: () throws -> Tensor) rethrows -> Tensor {
        let loss = try withGradEnabled(true, closure)
        step()
        return loss
    }

    /// Resets the gradients of all parameters (PyTorch's `zero_grad`).
    /// - Parameter setToNone: true (PyTorch's default) drops each gradient (`grad = nil`), which
    ///   saves memory and makes `step()` skip parameters that get no new gradient; false
    ///   overwrites the existing gradients with zeros in place.
    public func zeroGrad(setToNone: Bool = true) {
        for group in paramGroups {
            for p in group.params {
                guard let g = p.grad else { continue }
                if setToNone {
                    p.grad = nil
                } else if g.isContiguous && !g.requiresGrad {
                    g.fill(0)
                } else {
                    p.grad = Tensor.zeros(like: g)  // a graph-carrying or strided gradient: detach it
                }
            }
        }
    }

    /// Adds a group of parameters (PyTorch's `add_param_group`), for example layers unfrozen
    /// during fine-tuning. Keys the group does not set take the optimizer's defaults.
    public func addParamGroup(_ group: ParameterGroup) {
        var seen = Set(parameters.map(ObjectIdentifier.init))
        for p in group.params {
            if !p.dtype.isFloatingPoint { fail(name, "can only optimize floating-point tensors, got \(p.dtype)") }
            if !p.isLeaf { fail(name, "can't optimize a non-leaf Tensor (shape \(shapeString(p.shape))); optimize the leaf it was computed from") }
            if !p.isContiguous { fail(name, "can only optimize contiguous tensors (shape \(shapeString(p.shape)), strides \(p.strides))") }
            if !seen.insert(ObjectIdentifier(p)).inserted {
                fail(name, "some parameters appear more than once in the parameter groups (shape \(shapeString(p.shape)))")
            }
        }
        var resolved = group
        let problems = resolveOptions(&resolved.options, context: "param_groups[\(paramGroups.count)]")
        if !problems.isEmpty { fail(name, problems.map(\.description).joined(separator: "; ")) }
        changingGroups = true
        paramGroups.append(resolved)
        changingGroups = false
        for p in resolved.params { createInitialState(for: p, group: resolved) }
    }

    /// The state of one parameter (`optimizer.state[p]`): for Adam `exp_avg`, `exp_avg_sq` and
    /// `step`; empty before the parameter's first update.
    public func state(for param: Tensor) -> [String: Tensor] { state[ObjectIdentifier(param)] ?? [:] }

    /// Replaces the state of one parameter (for subclasses and advanced uses; not checked).
    public func setState(_ newState: [String: Tensor], for param: Tensor) { state[ObjectIdentifier(param)] = newState }

    // MARK: Hooks for subclasses

    /// Checks the ranges of a group's hyper-parameters and returns the problems found (PyTorch's
    /// `ValueError`s such as `Invalid learning rate: -1.0`). Every key is present; a value of the
    /// wrong type (already reported) should be treated as valid. The base checks `lr`.
    open func validate(_ options: [String: StateValue]) -> [(key: String, reason: String)] {
        let lr = options["lr"]?.doubleValue ?? 0
        return lr >= 0 ? [] : [("lr", "Invalid learning rate: \(lr)")]
    }

    /// The exact set of state keys a parameter of a group with these hyper-parameters has after
    /// its first update, used to check loaded state dicts; nil skips the check.
    open func stateKeys(for options: [String: StateValue]) -> Set<String>? { nil }

    /// Creates state that exists before the first step (Adagrad's `sum`). Default: none.
    open func createInitialState(for param: Tensor, group: ParameterGroup) {}

    // MARK: Shared machinery

    /// Keys PyTorch stores that select its implementation. Accepted (and dropped) when false.
    static let torchImplementationKeys: Set<String> = ["foreach", "fused", "capturable", "differentiable"]

    /// Checks the keys and value types of `options`, converts numbers to the type of the default,
    /// fills in missing keys from the defaults, and runs `validate`.
    func resolveOptions(_ options: inout [String: StateValue], context: String) -> [StateDictLoadError.Problem] {
        var problems: [StateDictLoadError.Problem] = []
        for (key, value) in options {
            if let d = defaults[key] {
                if let v = StateValue.converting(value, like: d) { options[key] = v }
                else { problems.append(.invalidValue(context: context, key: key, reason: "expected \(d.kindDescription), got \(value)")) }
            } else if key == "initial_lr" {  // set by learning-rate schedulers, as in PyTorch
                if let v = value.doubleValue { options[key] = .double(v) }
                else { problems.append(.invalidValue(context: context, key: key, reason: "expected a number, got \(value)")) }
            } else if Optimizer.torchImplementationKeys.contains(key) {
                if value.boolValue != false {
                    problems.append(.invalidValue(context: context, key: key, reason: "PyTorch's \(key)=\(value) has no Ember counterpart; only False is accepted"))
                }
                options[key] = nil
            } else {
                problems.append(.unknownKey(context: context, key: key))
            }
        }
        for (key, d) in defaults where options[key] == nil { options[key] = d }
        // Range checks; a value of the wrong type was reported above and reads as absent here.
        problems += validate(options).map { .invalidValue(context: context, key: $0.key, reason: $0.reason) }
        return problems
    }

    private func paramGroupsChanged(from old: [ParameterGroup]) {
        let same = paramGroups.count == old.count && zip(paramGroups, old).allSatisfy { a, b in
            a.params.count == b.params.count && zip(a.params, b.params).allSatisfy { $0 === $1 }
        }
        if !same && !changingGroups {
            fail(name, "paramGroups: add groups with addParamGroup(_:); the parameters of a group cannot change")
        }
        var resolved = paramGroups
        for i in resolved.indices {
            let problems = resolveOptions(&resolved[i].options, context: "param_groups[\(i)]")
            if !problems.isEmpty { fail(name, problems.map(\.description).joined(separator: "; ")) }
        }
        resolvingGroups = true
        paramGroups = resolved  // canonical types (an int 0 stored as the double 0), defaults filled in
        resolvingGroups = false
    }

    /// The gradient of `p` ready for a raw-pointer update (same dtype and shape, contiguous),
    /// or nil when `p` has no gradient.
    func updateGradient(_ p: Tensor) -> Tensor? {
        guard let g = p.grad else { return nil }
        if g.dtype != p.dtype || g.shape != p.shape {
            fail("\(name).step", "the gradient (\(g.dtype), shape \(shapeString(g.shape))) does not match its parameter (\(p.dtype), shape \(shapeString(p.shape)))")
        }
        return g.isContiguous ? g : g.contiguousCopy()
    }
}

extension StateValue {
    /// `value` converted to the case of `reference` (an `.int` 0 where a `.double` is expected),
    /// or nil if it has the wrong kind or the wrong list length.
    static func converting(_ value: StateValue, like reference: StateValue) -> StateValue? {
        switch reference {
        case .double: return value.doubleValue.map(StateValue.double)
        case .int: return value.intValue.map(StateValue.int)
        case .bool: return value.boolValue.map(StateValue.bool)
        case .string: return value.stringValue.map(StateValue.string)
        case .doubles(let r):
            guard let v = value.doublesValue, v.count == r.count else { return nil }
            return .doubles(v)
        case .ints: return value.intsValue.map(StateValue.ints)
        }
    }

    /// "a number", "a list of 2 numbers", ... for messages.
    var kindDescription: String {
        switch self {
        case .double: return "a number"
        case .int: return "an integer"
        case .bool: return "a boolean"
        case .string: return "a string"
        case .doubles(let v): return "a list of \(v.count) numbers"
        case .ints: return "a list of integers"
        }
    }
}

extension Optimizer {
    /// The state of `param` with every key of `keys` present: missing ones are created (`step` as
    /// a 0-d float32 zero, the others as zeros shaped like the parameter), as PyTorch does on a
    /// parameter's first update.
    func stateEntry(for param: Tensor, keys: [String]) -> [String: Tensor] {
        let id = ObjectIdentifier(param)
        if let entry = state[id], keys.allSatisfy({ entry[$0] != nil }) { return entry }
        var entry = state[id] ?? [:]
        for key in keys where entry[key] == nil {
            entry[key] = key == "step" ? Tensor(0.0, dtype: .float32) : Tensor.zeros(param.shape, dtype: param.dtype)
        }
        state[id] = entry
        return entry
    }
}
