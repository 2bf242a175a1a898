import Ember

/// The size of the latent noise vector z, in both tutorials.
let latentDimension = 100

// MARK: - The PyTorch tutorial's networks (variant "pytorch")

/// Four linear layers from noise to a flattened 28×28 image in [-1, 1]:
/// 100 → 256 → 512 → 1024 → 784, LeakyReLU(0.2) between them, tanh at the end.
final class MLPGenerator: Module {
    let fc1 = Linear(latentDimension, 256)
    let fc2 = Linear(256, 512)
    let fc3 = Linear(512, 1024)
    let fc4 = Linear(1024, 784)

    override func forward(_ z: Tensor) -> Tensor {
        var x = fc1(z).leakyRelu(negativeSlope: 0.2)
        x = fc2(x).leakyRelu(negativeSlope: 0.2)
        x = fc3(x).leakyRelu(negativeSlope: 0.2)
        return fc4(x).tanh()
    }
}

/// Four linear layers from an image to the probability that it is real:
/// 784 → 1024 → 512 → 256 → 1, LeakyReLU(0.2) and dropout(0.3) between them, sigmoid at the end.
final class MLPDiscriminator: Module {
    let fc1 = Linear(784, 1024)
    let fc2 = Linear(1024, 512)
    let fc3 = Linear(512, 256)
    let fc4 = Linear(256, 1)

    override func forward(_ image: Tensor) -> Tensor {
        var x = image.reshape([-1, 784])   // [B, 1, 28, 28] or [B, 784] → [B, 784]
        x = dropout(fc1(x).leakyRelu(negativeSlope: 0.2), p: 0.3, training: isTraining)
        x = dropout(fc2(x).leakyRelu(negativeSlope: 0.2), p: 0.3, training: isTraining)
        x = dropout(fc3(x).leakyRelu(negativeSlope: 0.2), p: 0.3, training: isTraining)
        return fc4(x).sigmoid()
    }
}

// MARK: - The Keras tutorial's networks (variant "keras")

/// Keras's `BatchNormalization(momentum=0.8)`: Keras's momentum is the weight of the old running
/// average, Ember's (like PyTorch's) the weight of the new batch, so 0.8 becomes 0.2. Keras's
/// epsilon is 1e-3.
func kerasBatchNorm(_ features: Int) -> BatchNorm1D {
    BatchNorm1D(features, eps: 1e-3, momentum: 0.2)
}

/// Dense(256) LeakyReLU BatchNorm · Dense(512) LeakyReLU BatchNorm · Dense(1024) LeakyReLU
/// BatchNorm · Dense(784, tanh) · Reshape to an image.
func kerasGenerator() -> Sequential {
    let model = Sequential {
        Linear(latentDimension, 256); LeakyReLU(0.2); kerasBatchNorm(256)
        Linear(256, 512); LeakyReLU(0.2); kerasBatchNorm(512)
        Linear(512, 1024); LeakyReLU(0.2); kerasBatchNorm(1024)
        Linear(1024, 784); Tanh()
        Reshape([1, 28, 28])
    }
    kerasInitialization(model)
    return model
}

/// Flatten · Dense(512) LeakyReLU · Dense(256) LeakyReLU · Dense(1, sigmoid).
func kerasDiscriminator() -> Sequential {
    let model = Sequential {
        Flatten()
        Linear(784, 512); LeakyReLU(0.2)
        Linear(512, 256); LeakyReLU(0.2)
        Linear(256, 1); Sigmoid()
    }
    kerasInitialization(model)
    return model
}

/// Keras initialises a `Dense` layer with Glorot-uniform weights and zero biases (PyTorch and
/// Ember use a Kaiming-uniform scheme); `apply` visits every layer of the model.
func kerasInitialization(_ model: Module) {
    model.apply { layer in
        guard let dense = layer as? Linear else { return }
        Init.xavierUniform(dense.weight)
        if let bias = dense.bias { Init.zeros(bias) }
    }
}
