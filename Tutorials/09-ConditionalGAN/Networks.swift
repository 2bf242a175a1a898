import Ember

/// The size of the noise vector z.
let latentSize = 100
/// The ten digits.
let classCount = 10
/// The size of the learned label vector G receives next to z.
let labelEmbeddingSize = 50

/// The conditional generator: tutorial 05's transposed-convolution generator, whose input is z
/// followed by a learned 50-number embedding of the requested digit.
final class ConditionalGenerator: Module {
    let labelEmbedding = Embedding(classCount, labelEmbeddingSize)
    let fc1 = Linear(latentSize + labelEmbeddingSize, 2048), bn1 = BatchNorm1D(2048)
    let fc2 = Linear(2048, 128 * 7 * 7), bn2 = BatchNorm1D(128 * 7 * 7)
    let deconv1 = ConvTranspose2D(128, 128, kernelSize: 5, stride: 2, padding: 2)
    let deconv2 = ConvTranspose2D(128, 1, kernelSize: 5, stride: 2, padding: 2)

    /// Images [N, 1, 28, 28] of the digits `labels` (int64 [N]) drawn from noise `z` [N, 100].
    func callAsFunction(_ z: Tensor, labels: Tensor) -> Tensor {
        let input = cat([z.reshape([-1, latentSize]), labelEmbedding(labels)], dim: 1)   // [N, 150]
        var y = bn1(fc1(input))                          // (no activation here, as in tutorial 05)
        y = bn2(fc2(y)).reshape([-1, 128, 7, 7])
        y = deconv1(y, outputSize: [14, 14]).relu()                                      // [N, 128, 14, 14]
        return deconv2(y, outputSize: [28, 28]).tanh()                                   // [N, 1, 28, 28]
    }

    override func forward(_ input: Tensor) -> Tensor {
        fatalError("ConditionalGenerator needs labels: call g(z, labels: labels)")
    }
}

/// The conditional discriminator: tutorial 05's discriminator, whose input has a second channel,
/// a learned 28×28 plane for the digit the image claims to be. It judges whether the image is a
/// real example *of that digit*.
final class ConditionalDiscriminator: Module {
    let labelEmbedding = Embedding(classCount, 28 * 28)
    let conv1 = Conv2D(2, 64, kernelSize: 5)
    let conv2 = Conv2D(64, 128, kernelSize: 5), bn1 = BatchNorm2D(128)
    let fc1 = Linear(128 * 4 * 4, 1024), bn2 = BatchNorm1D(1024)
    let fc2 = Linear(1024, 1)

    /// One logit per image: is `images` [N, 1, 28, 28] a real example of digits `labels` [N]?
    func callAsFunction(_ images: Tensor, labels: Tensor) -> Tensor {
        let labelPlane = labelEmbedding(labels).reshape([-1, 1, 28, 28])
        var y = cat([images, labelPlane], dim: 1)                                         // [N, 2, 28, 28]
        y = maxPool2d(conv1(y).leakyRelu(negativeSlope: 0.02), kernelSize: [2])            // [N, 64, 12, 12]
        y = maxPool2d(conv2(y), kernelSize: [2])                                          // [N, 128, 4, 4]
        y = bn1(y).leakyRelu(negativeSlope: 0.02).reshape([-1, 128 * 4 * 4])
        y = bn2(fc1(y)).leakyRelu(negativeSlope: 0.02)
        return fc2(y)                                                                     // [N, 1] logits
    }

    override func forward(_ input: Tensor) -> Tensor {
        fatalError("ConditionalDiscriminator needs labels: call d(images, labels: labels)")
    }
}
