/// Sets the learning rate to the initial rate times a function of the epoch (PyTorch's
/// `LambdaLR`): lr = base · λ(epoch).
///
/// ```swift
/// let schedule = LambdaLR(opt) { epoch in Foundation.pow(0.95, Double(epoch)) }
/// ```
///
/// Functions cannot be saved: the state dict holds only the common fields, and a restored
/// scheduler must be created with the same functions.
public final class LambdaLR: LRScheduler {
    /// One function per parameter group, from epoch to factor.
    public let lrLambdas: [(Int) -> Double]

    /// One function for every parameter group.
    public convenience init(_ optimizer: Optimizer, lrLambda: @escaping (Int) -> Double) {
        self.init(optimizer, lrLambdas: Array(repeating: lrLambda, count: optimizer.paramGroups.count))
    }

    /// One function per parameter group, in order.
    public init(_ optimizer: Optimizer, lrLambdas: [(Int) -> Double]) {
        if lrLambdas.count != optimizer.paramGroups.count {
            fail("LambdaLR", "expected \(optimizer.paramGroups.count) lr_lambdas, but got \(lrLambdas.count)")
        }
        self.lrLambdas = lrLambdas
        super.init(optimizer: optimizer)
    }

    /// base·λ(lastEpoch) for each group.
    public override func computeLR() -> [Double] {
        zip(baseLRs, lrLambdas).map { base, lambda in base * lambda(lastEpoch) }
    }
}
