/// An ordered map from dotted names to tensors: a module's parameters and buffers as returned by
/// `stateDict()` (PyTorch's `state_dict()`).
public struct StateDict: Sequence {
    /// The names, in order (parameters first, then buffers, module by module).
    public private(set) var keys: [String] = []
    private var values: [String: Tensor] = [:]

    /// An empty state dict.
    public init() {}

    /// A state dict holding `pairs` in order (later duplicates replace earlier ones).
    public init(_ pairs: [(String, Tensor)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// The tensor stored under `key`, or nil. Assigning nil removes the key.
    public subscript(key: String) -> Tensor? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The number of entries.
    public var count: Int { keys.count }

    public func makeIterator() -> AnyIterator<(String, Tensor)> {
        var i = 0
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (keys[i], values[keys[i]]!)
        }
    }
}

/// Why `loadStateDict` refused a state dict. Every problem is listed; nothing was changed.
public struct StateDictError: Error, CustomStringConvertible {
    /// The model's type name.
    public let moduleName: String
    /// Keys the model has but the state dict lacks.
    public let missingKeys: [String]
    /// Keys of the state dict the model does not have.
    public let unexpectedKeys: [String]
    /// Entries whose shape or dtype differs from the model's, as readable sentences.
    public let mismatches: [String]

    /// Every problem as one sentence each.
    public var problems: [String] {
        var parts: [String] = []
        if !missingKeys.isEmpty { parts.append("Missing key(s) in state_dict: " + missingKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".") }
        if !unexpectedKeys.isEmpty { parts.append("Unexpected key(s) in state_dict: " + unexpectedKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".") }
        return parts + mismatches
    }

    public var description: String {
        var parts: [String] = []
        if !missingKeys.isEmpty { parts.append("Missing key(s) in state_dict: " + missingKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".") }
        if !unexpectedKeys.isEmpty { parts.append("Unexpected key(s) in state_dict: " + unexpectedKeys.map { "\"\($0)\"" }.joined(separator: ", ") + ".") }
        parts.append(contentsOf: mismatches)
        return "Error(s) in loading state_dict for \(moduleName):\n\t" + parts.joined(separator: "\n\t")
    }
}

/// The keys a non-strict load skipped.
public struct LoadStateDictResult: Equatable {
    /// Keys the model has but the state dict lacked (left unchanged).
    public let missingKeys: [String]
    /// Keys of the state dict the model does not have (ignored).
    public let unexpectedKeys: [String]
}

extension Module {
    /// The parameters and persistent buffers of the tree by dotted name. The tensors are
    /// detached views sharing storage with the module (no copy), like PyTorch's `state_dict()`.
    public func stateDict() -> StateDict {
        var sd = StateDict()
        for (prefix, m) in namedModules() {
            for (name, t) in m.namedDirectParameters() + m.namedDirectBuffers() {
                let key = prefix.isEmpty ? name : "\(prefix).\(name)"
                if sd[key] == nil { sd[key] = t.detach() }
            }
        }
        return sd
    }

    /// Copies the tensors of `stateDict` into the module's parameters and buffers.
    ///
    /// Everything is checked before anything changes: with `strict` (the default) every missing
    /// key, unexpected key and shape or dtype mismatch is reported in one thrown
    /// `StateDictError`, and the module is left exactly as it was. Without `strict`, missing and
    /// unexpected keys are returned instead of thrown (mismatched shapes still throw).
    @discardableResult
    public func loadStateDict(_ stateDict: StateDict, strict: Bool = true) throws -> LoadStateDictResult {
        let result = try validateStateDict(stateDict, strict: strict)
        let own = self.stateDict()
        withNoGrad {
            for key in own.keys {
                guard let incoming = stateDict[key] else { continue }
                let target = own[key]!
                if incoming.storage === target.storage && incoming.offset == target.offset { continue }
                target.copy(from: incoming)
            }
        }
        return result
    }

    /// Checks `stateDict` against the module without changing anything; throws what
    /// `loadStateDict` would throw.
    @discardableResult
    public func validateStateDict(_ stateDict: StateDict, strict: Bool = true) throws -> LoadStateDictResult {
        let own = self.stateDict()
        var missing: [String] = [], mismatches: [String] = []
        for key in own.keys {
            guard let incoming = stateDict[key] else { missing.append(key); continue }
            let target = own[key]!
            if incoming.shape != target.shape {
                mismatches.append("size mismatch for \(key): copying a param with shape \(shapeString(incoming.shape)) from checkpoint, the shape in current model is \(shapeString(target.shape)).")
            } else if incoming.dtype.isFloatingPoint != target.dtype.isFloatingPoint {
                mismatches.append("dtype mismatch for \(key): copying a \(incoming.dtype) tensor from checkpoint into a \(target.dtype) tensor.")
            }
        }
        let unexpected = stateDict.keys.filter { own[$0] == nil }
        if !mismatches.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
            throw StateDictError(moduleName: String(describing: type(of: self)), missingKeys: strict ? missing : [],
                                 unexpectedKeys: strict ? unexpected : [], mismatches: mismatches)
        }
        return LoadStateDictResult(missingKeys: missing, unexpectedKeys: unexpected)
    }
}
