/// Why `loadStateDict(_:)` of an optimizer or a learning-rate scheduler refused a state dict.
///
/// Loading checks everything before it changes anything, and reports every problem at once;
/// after this error the optimizer or scheduler is exactly as it was. (PyTorch checks only the
/// group count and group sizes, and copies whatever state it is given.)
public struct StateDictLoadError: Error, CustomStringConvertible, Equatable {
    /// One problem found in the state dict.
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// The state dict has a different number of parameter groups.
        case groupCount(expected: Int, found: Int)
        /// A saved group lists a different number of parameters than the optimizer's group.
        case groupSize(group: Int, expected: Int, found: Int)
        /// A key the optimizer or scheduler does not know; `context` is e.g. `param_groups[1]`,
        /// `state[3]`, or empty for a scheduler's top level.
        case unknownKey(context: String, key: String)
        /// A required key is absent.
        case missingKey(context: String, key: String)
        /// A value has the wrong type or is out of range.
        case invalidValue(context: String, key: String, reason: String)
        /// `state` has an entry for a parameter index no saved group lists.
        case unknownParameterIndex(Int)
        /// A parameter index appears in more than one place of the saved groups.
        case duplicateParameterIndex(Int)
        /// A state tensor's shape differs from what the parameter needs.
        case stateShape(index: Int, key: String, expected: [Int], found: [Int])
        /// A state tensor's dtype differs from what the parameter needs.
        case stateDType(index: Int, key: String, expected: DType, found: DType)

        /// A readable message, in the style of PyTorch's `load_state_dict` errors.
        public var description: String {
            func at(_ context: String) -> String { context.isEmpty ? "" : " in \(context)" }
            switch self {
            case let .groupCount(e, f):
                return "loaded state dict has \(f) parameter group(s), the optimizer has \(e)"
            case let .groupSize(g, e, f):
                return "loaded state dict contains a parameter group (param_groups[\(g)]) with \(f) parameter(s) that doesn't match the size of the optimizer's group (\(e))"
            case let .unknownKey(c, k): return "unexpected key \"\(k)\"\(at(c))"
            case let .missingKey(c, k): return "missing key \"\(k)\"\(at(c))"
            case let .invalidValue(c, k, r): return "invalid \"\(k)\"\(at(c)): \(r)"
            case let .unknownParameterIndex(i): return "state[\(i)]: no parameter group lists parameter index \(i)"
            case let .duplicateParameterIndex(i): return "parameter index \(i) appears more than once in param_groups"
            case let .stateShape(i, k, e, f):
                return "size mismatch for state[\(i)].\(k): copying a tensor with shape \(shapeString(f)) from the state dict, the shape needed is \(shapeString(e))"
            case let .stateDType(i, k, e, f):
                return "dtype mismatch for state[\(i)].\(k): the state dict has \(f), the parameter needs \(e)"
            }
        }
    }

    /// The type that refused the state dict ("Adam", "StepLR", ...).
    public let owner: String
    /// Every problem found.
    public let problems: [Problem]

    /// A readable message, in the style of PyTorch's `load_state_dict` errors.
    public var description: String {
        "Error(s) in loading state_dict for \(owner):\n" + problems.map { "\t" + $0.description }.joined(separator: "\n")
    }
}
