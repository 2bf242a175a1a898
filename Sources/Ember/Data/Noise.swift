/// Latent noise for generators.
public enum Noise {
    /// [batchSize, dimension] standard normal values (the z of most GAN tutorials), optionally
    /// shaped [batchSize, dimension, 1, 1] for convolutional generators with `spatial: true`.
    public static func normal(batchSize: Int, dimension: Int, spatial: Bool = false, generator: Generator? = nil) -> Tensor {
        Tensor.randn(spatial ? [batchSize, dimension, 1, 1] : [batchSize, dimension], generator: generator)
    }

    /// [batchSize, dimension] uniform values in [low, high) (the TensorFlow tutorial's z in [-1, 1]).
    public static func uniform(batchSize: Int, dimension: Int, low: Double = -1, high: Double = 1, generator: Generator? = nil) -> Tensor {
        Tensor.uniform([batchSize, dimension], low: low, high: high, generator: generator)
    }
}
