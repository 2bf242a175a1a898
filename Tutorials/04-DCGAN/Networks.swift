import Ember

/// The size of the noise vector z.
let latentSize = 100

/// The discriminator: two convolution + batch norm + ReLU + max-pool blocks, then two linear
/// layers. It returns one logit per image (no sigmoid: the loss applies it).
///
/// Spatial sizes: 28 → conv 3×3 → 26 → pool → 13 → conv 3×3 → 11 → pool → 5.
final class Discriminator: Module {
    let conv1 = Conv2D(1, 64, kernelSize: 3), bn1 = BatchNorm2D(64), pool1 = MaxPool2D(2)
    let conv2 = Conv2D(64, 128, kernelSize: 3), bn2 = BatchNorm2D(128), pool2 = MaxPool2D(2)
    let fc1 = Linear(128 * 5 * 5, 1024), bnfc1 = BatchNorm1D(1024)
    let fc2 = Linear(1024, 1)

    override func forward(_ images: Tensor) -> Tensor {
        var y = pool1(bn1(conv1(images)).relu())          // [N, 64, 13, 13]
        y = pool2(bn2(conv2(y)).relu())                   // [N, 128, 5, 5]
        y = bnfc1(fc1(y.reshape([-1, 128 * 5 * 5]))).relu()
        return fc2(y)                                     // [N, 1] logits
    }
}

/// The generator: two linear layers lift z to 128 feature maps of 7×7; twice, an upsampling
/// doubles the size and a 5×5 convolution (padding 2 keeps the size) refines it: 7 → 14 → 28.
/// Every hidden layer is batch norm + tanh, and the output is tanh: pixels in [-1, 1].
final class UpsampleGenerator: Module {
    let fc1 = Linear(latentSize, 1024), bn1 = BatchNorm1D(1024)
    let fc2 = Linear(1024, 128 * 7 * 7), bn2 = BatchNorm1D(128 * 7 * 7)
    let conv1 = Conv2D(128, 64, kernelSize: 5, padding: 2), bn3 = BatchNorm2D(64)
    let conv2 = Conv2D(64, 1, kernelSize: 5, padding: 2)
    // Paddle 1.x's image_resize: bilinear, with align_corners=True.
    let upsample = Upsample(scaleFactor: 2, mode: .bilinear, alignCorners: true)

    override func forward(_ z: Tensor) -> Tensor {
        var y = bn1(fc1(z.reshape([-1, latentSize]))).tanh()
        y = bn2(fc2(y)).tanh().reshape([-1, 128, 7, 7])   // [N, 128, 7, 7]
        y = bn3(conv1(upsample(y))).tanh()                // [N, 64, 14, 14]
        return conv2(upsample(y)).tanh()                  // [N, 1, 28, 28]
    }
}

/// PaddlePaddle 1.x's default initialisation, which the seed relies on: convolution weights from
/// N(0, √(2 / fan_in)) (He), linear weights Xavier-uniform, biases zero. (Ember's defaults are
/// PyTorch's, whose weights are about 2.4 times smaller: U(±1/√fan_in).)
func paddleInitialization(_ model: Module) {
    model.apply { layer in
        if let conv = layer as? Conv2D {
            Init.kaimingNormal(conv.weight, nonlinearity: .relu)
            if let bias = conv.bias { Init.zeros(bias) }
        } else if let linear = layer as? Linear {
            Init.xavierUniform(linear.weight)
            if let bias = linear.bias { Init.zeros(bias) }
        }
    }
}
