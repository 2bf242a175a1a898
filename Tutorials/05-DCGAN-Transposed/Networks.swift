import Ember

/// The size of the noise vector z.
let latentSize = 100

/// The generator: two linear layers with batch norm (and, as in the seed, no activation between
/// them) lift z to 128 feature maps of 7×7; two transposed convolutions with stride 2 double the
/// size: 7 → 14 → 28.
///
/// A 5×5 transposed convolution with stride 2 and padding 2 turns 7 pixels into
/// (7 − 1)·2 − 2·2 + 5 = 13, or 14 with one extra row and column of output padding: both are
/// valid, so the seed names the size it wants (`output_size`), and so does `outputSize:` here.
final class TransposedGenerator: Module {
    let fc1 = Linear(latentSize, 2048), bn1 = BatchNorm1D(2048)
    let fc2 = Linear(2048, 128 * 7 * 7), bn2 = BatchNorm1D(128 * 7 * 7)
    let deconv1 = ConvTranspose2D(128, 128, kernelSize: 5, stride: 2, padding: 2)
    let deconv2 = ConvTranspose2D(128, 1, kernelSize: 5, stride: 2, padding: 2)

    override func forward(_ z: Tensor) -> Tensor {
        var y = bn1(fc1(z.reshape([-1, latentSize])))
        y = bn2(fc2(y)).reshape([-1, 128, 7, 7])
        y = deconv1(y, outputSize: [14, 14]).relu()        // [N, 128, 14, 14]
        return deconv2(y, outputSize: [28, 28]).tanh()     // [N, 1, 28, 28], pixels in [-1, 1]
    }
}

/// The discriminator: convolution + max-pool twice (28 → 24 → 12 → 8 → 4), batch norm, a hidden
/// linear layer, and one output per image. Paddle's `leaky_relu` has slope 0.02.
///
/// With `sigmoidOutput` the last layer is followed by a sigmoid, as in the seed, whose loss then
/// treats that probability as a logit (see the README). Without it the output is the logit.
final class PoolDiscriminator: Module {
    let conv1 = Conv2D(1, 64, kernelSize: 5)
    let conv2 = Conv2D(64, 128, kernelSize: 5), bn1 = BatchNorm2D(128)
    let fc1 = Linear(128 * 4 * 4, 1024), bn2 = BatchNorm1D(1024)
    let fc2 = Linear(1024, 1)
    let sigmoidOutput: Bool

    init(sigmoidOutput: Bool) {
        self.sigmoidOutput = sigmoidOutput
        super.init()
    }

    override func forward(_ images: Tensor) -> Tensor {
        var y = maxPool2d(conv1(images).leakyRelu(negativeSlope: 0.02), kernelSize: [2])  // [N, 64, 12, 12]
        y = maxPool2d(conv2(y), kernelSize: [2])                                          // [N, 128, 4, 4]
        y = bn1(y).leakyRelu(negativeSlope: 0.02).reshape([-1, 128 * 4 * 4])
        y = bn2(fc1(y)).leakyRelu(negativeSlope: 0.02)
        let logit = fc2(y)                                                                 // [N, 1]
        return sigmoidOutput ? logit.sigmoid() : logit
    }
}
