import Ember

/// The size of the noise vector z.
let latentSize = 100
/// The ten digits.
let classCount = 10

/// The conditional generator: tutorial 04's upsample + convolution generator, whose input is z
/// followed by a learned 50-number embedding of the requested digit.
final class ConditionalGenerator: Module {
    let labelEmbedding = Embedding(classCount, 50)
    let fc1 = Linear(latentSize + 50, 1024), bn1 = BatchNorm1D(1024)
    let fc2 = Linear(1024, 128 * 7 * 7), bn2 = BatchNorm1D(128 * 7 * 7)
    let conv1 = Conv2D(128, 64, kernelSize: 5, padding: 2), bn3 = BatchNorm2D(64)
    let conv2 = Conv2D(64, 1, kernelSize: 5, padding: 2)
    let upsample = Upsample(scaleFactor: 2, mode: .bilinear, alignCorners: true)

    /// Images [N, 1, 28, 28] of the digits `labels` (int64 [N]) drawn from noise `z` [N, 100].
    func callAsFunction(_ z: Tensor, labels: Tensor) -> Tensor {
        let input = cat([z.reshape([-1, latentSize]), labelEmbedding(labels)], dim: 1)   // [N, 150]
        var y = bn1(fc1(input)).tanh()
        y = bn2(fc2(y)).tanh().reshape([-1, 128, 7, 7])
        y = bn3(conv1(upsample(y))).tanh()                                                // [N, 64, 14, 14]
        return conv2(upsample(y)).tanh()                                                  // [N, 1, 28, 28]
    }

    override func forward(_ input: Tensor) -> Tensor {
        fatalError("ConditionalGenerator needs labels: call g(z, labels: labels)")
    }
}

/// The conditional discriminator: tutorial 04's discriminator, whose input has a second channel,
/// a learned 28×28 plane for the digit the image claims to be. It judges whether the image is a
/// real example *of that digit*.
final class ConditionalDiscriminator: Module {
    let labelEmbedding = Embedding(classCount, 28 * 28)
    let conv1 = Conv2D(2, 64, kernelSize: 3), bn1 = BatchNorm2D(64), pool1 = MaxPool2D(2)
    let conv2 = Conv2D(64, 128, kernelSize: 3), bn2 = BatchNorm2D(128), pool2 = MaxPool2D(2)
    let fc1 = Linear(128 * 5 * 5, 1024), bnfc1 = BatchNorm1D(1024)
    let fc2 = Linear(1024, 1)

    /// One logit per image: is `images` [N, 1, 28, 28] a real example of digits `labels` [N]?
    func callAsFunction(_ images: Tensor, labels: Tensor) -> Tensor {
        let labelPlane = labelEmbedding(labels).reshape([-1, 1, 28, 28])
        var y = cat([images, labelPlane], dim: 1)                       // [N, 2, 28, 28]
        y = pool1(bn1(conv1(y)).relu())                                 // [N, 64, 13, 13]
        y = pool2(bn2(conv2(y)).relu())                                 // [N, 128, 5, 5]
        y = bnfc1(fc1(y.reshape([-1, 128 * 5 * 5]))).relu()
        return fc2(y)                                                   // [N, 1] logits
    }

    override func forward(_ input: Tensor) -> Tensor {
        fatalError("ConditionalDiscriminator needs labels: call d(images, labels: labels)")
    }
}
