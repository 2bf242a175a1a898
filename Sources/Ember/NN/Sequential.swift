/// A chain of modules applied one after the other. Children are named by position, so the
/// weight of the first layer is `0.weight`, as in PyTorch.
///
/// ```swift
/// let discriminator = Sequential {
///     Linear(784, 512); LeakyReLU(0.2)
///     Linear(512, 1); Sigmoid()
/// }
/// ```
public final class Sequential: Module {
    /// The layers, in order.
    public private(set) var layers: [Module]

    /// A chain of the given layers.
    public init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }

    /// A chain of the given layers.
    public convenience init(_ layers: Module...) { self.init(layers) }

    /// A chain of the layers listed in the closure.
    public convenience init(@SequentialBuilder _ build: () -> [Module]) { self.init(build()) }

    /// Appends a layer.
    public func append(_ layer: Module) { layers.append(layer) }

    /// The layer at `index`.
    public subscript(index: Int) -> Module { layers[index] }

    /// The number of layers.
    public var count: Int { layers.count }

    public override func namedChildren() -> [(String, Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public override func forward(_ input: Tensor) -> Tensor {
        var x = input
        for layer in layers { x = layer(x) }
        return x
    }
}

/// Builds the layer list of a `Sequential` from statements.
@resultBuilder
public enum SequentialBuilder {
    public static func buildExpression(_ m: Module) -> [Module] { [m] }
    public static func buildExpression(_ ms: [Module]) -> [Module] { ms }
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    public static func buildEither(first: [Module]) -> [Module] { first }
    public static func buildEither(second: [Module]) -> [Module] { second }
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
}
