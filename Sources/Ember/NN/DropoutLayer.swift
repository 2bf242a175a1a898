/// Zeroes each element with probability `p` during training and scales the rest by 1/(1 - p);
/// passes the input through in evaluation mode (PyTorch's `nn.Dropout`, default p = 0.5).
public final class Dropout: Module {
    /// The probability of zeroing an element.
    public let p: Double
    /// The generator drawing the masks (the default generator when nil).
    public var generator: Generator?

    public init(_ p: Double = 0.5, generator: Generator? = nil) {
        precondition((0...1).contains(p), "Dropout: probability has to be between 0 and 1, but got \(p)")
        self.p = p
        self.generator = generator
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        dropout(input, p: p, training: isTraining, generator: generator)
    }
}
