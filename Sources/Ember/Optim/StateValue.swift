/// A hyper-parameter or scheduler field as it appears in a state dict: the values a PyTorch
/// `param_groups` entry or `LRScheduler.state_dict()` holds (`0.001`, `(0.9, 0.999)`, `False`, ...).
///
/// It is `Codable` as the plain JSON value (`0.001`, `[0.9, 0.999]`, `false`), so hyper-parameters
/// can travel in checkpoint metadata. Literals work where a `StateValue` is expected:
///
/// ```swift
/// let group = ParameterGroup(head.parameters(), options: ["lr": 0.01, "betas": [0.5, 0.999]])
/// ```
///
/// JSON does not keep the difference between `1` and `1.0`, so numbers compare by value:
/// `.int(0) == .double(0)`, and `doubleValue`/`doublesValue` accept integers too.
public enum StateValue: Sendable, Equatable, CustomStringConvertible {
    /// A floating-point number (`lr`, `eps`, `weight_decay`, `gamma`, ...).
    case double(Double)
    /// An integer (`last_epoch`, `step_size`, `total_iters`, ...).
    case int(Int)
    /// A flag (`amsgrad`, `nesterov`, `centered`, ...).
    case bool(Bool)
    /// A string.
    case string(String)
    /// A list of numbers (`betas`, `base_lrs`, `_last_lr`).
    case doubles([Double])
    /// A list of integers (`params` in a group, `milestones`).
    case ints([Int])

    /// The number, for `.double` and `.int` (PyTorch stores `weight_decay=0` as an int).
    public var doubleValue: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }

    /// The integer, for `.int` and for a `.double` holding a whole number.
    public var intValue: Int? {
        switch self {
        case .int(let v): return v
        case .double(let v): return v.rounded() == v && Swift.abs(v) < 9.0e15 ? Int(v) : nil
        default: return nil
        }
    }

    /// The flag, for `.bool`.
    public var boolValue: Bool? { if case .bool(let v) = self { return v }; return nil }

    /// The string, for `.string`.
    public var stringValue: String? { if case .string(let v) = self { return v }; return nil }

    /// The list of numbers, for `.doubles` and `.ints`.
    public var doublesValue: [Double]? {
        switch self {
        case .doubles(let v): return v
        case .ints(let v): return v.map(Double.init)
        default: return nil
        }
    }

    /// The list of integers, for `.ints` and for `.doubles` holding whole numbers.
    public var intsValue: [Int]? {
        switch self {
        case .ints(let v): return v
        case .doubles(let v):
            let ints = v.compactMap { StateValue.double($0).intValue }
            return ints.count == v.count ? ints : nil
        default: return nil
        }
    }

    /// Numbers compare by value across `.int`/`.double` (and lists across `.ints`/`.doubles`).
    public static func == (a: StateValue, b: StateValue) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.int, .double), (.double, .int), (.double, .double): return a.doubleValue == b.doubleValue
        case (.ints(let x), .ints(let y)): return x == y
        case (.ints, .doubles), (.doubles, .ints), (.doubles, .doubles): return a.doublesValue == b.doublesValue
        default: return false
        }
    }

    /// The value as Python would print it (`0.001`, `[0.9, 0.999]`, `True`).
    public var description: String {
        switch self {
        case .double(let v): return "\(v)"
        case .int(let v): return "\(v)"
        case .bool(let v): return v ? "True" : "False"
        case .string(let v): return "'\(v)'"
        case .doubles(let v): return "[" + v.map { "\($0)" }.joined(separator: ", ") + "]"
        case .ints(let v): return "[" + v.map { "\($0)" }.joined(separator: ", ") + "]"
        }
    }
}

extension StateValue: Codable {
    /// Decodes a plain JSON value: a boolean, a number (integer if written as one), a string, or
    /// an array of numbers.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([Int].self) { self = .ints(v) }
        else if let v = try? c.decode([Double].self) { self = .doubles(v) }
        else {
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "expected a number, boolean, string or array of numbers")
        }
    }

    /// Encodes the plain JSON value (`0.001`, `true`, `[0.9, 0.999]`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .double(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .doubles(let v): try c.encode(v)
        case .ints(let v): try c.encode(v)
        }
    }
}

extension StateValue: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    /// `0.01` as a hyper-parameter.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `0` or `3` as a hyper-parameter.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// `true`/`false` as a hyper-parameter.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A string hyper-parameter.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `[0.5, 0.999]` as a hyper-parameter (use `.ints([...])` for a list of integers).
    public init(arrayLiteral elements: Double...) { self = .doubles(elements) }
}
