import Ember

/// The generator of tutorial 03 (the PyTorch tutorial's): 100 → 256 → 512 → 1024 → 784,
/// LeakyReLU(0.2) between the layers, tanh at the end.
final class MLPGenerator: Module {
    let fc1 = Linear(100, 256)
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

/// The discriminator of tutorial 03's Keras variant turned into a critic: 784 → 512 → 256 → 1
/// with LeakyReLU(0.2), and **no sigmoid**: the output is an unbounded score, not a probability.
/// No BatchNorm and no dropout either: the gradient penalty constrains the gradient for each
/// image on its own, and both would mix images of a batch or add noise to that gradient.
final class Critic: Module {
    let fc1 = Linear(784, 512)
    let fc2 = Linear(512, 256)
    let fc3 = Linear(256, 1)

    override func forward(_ image: Tensor) -> Tensor {
        var x = image.reshape([-1, 784])
        x = fc1(x).leakyRelu(negativeSlope: 0.2)
        x = fc2(x).leakyRelu(negativeSlope: 0.2)
        return fc3(x)
    }
}
