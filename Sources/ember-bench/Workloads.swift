import Ember

// The four seed GAN training steps, exactly as ../shared/bench/WORKLOADS.md and the PyTorch peer
// script (torch_steps.py) define them: batch 128, MNIST-shaped random "real" data in [-1, 1].

let batchSize = 128
let latent = 100

/// A training step and the generator it trains.
struct Workload {
    let step: (Int) -> Void
    let generate: () -> Tensor
}

func realPool() -> [Tensor] {
    manualSeed(0)
    return (0..<8).map { _ in Tensor.rand([batchSize, 1, 28, 28]) * 2 - 1 }
}

// MARK: A. MLP GAN (PyTorch tutorial)

final class MLPGenerator: Module {
    let fc1 = Linear(latent, 256), fc2 = Linear(256, 512), fc3 = Linear(512, 1024), fc4 = Linear(1024, 784)
    override func forward(_ z: Tensor) -> Tensor {
        var x = fc1(z).leakyRelu(negativeSlope: 0.2)
        x = fc2(x).leakyRelu(negativeSlope: 0.2)
        x = fc3(x).leakyRelu(negativeSlope: 0.2)
        return fc4(x).tanh()
    }
}

final class MLPDiscriminator: Module {
    let fc1 = Linear(784, 1024), fc2 = Linear(1024, 512), fc3 = Linear(512, 256), fc4 = Linear(256, 1)
    override func forward(_ input: Tensor) -> Tensor {
        var x = input.reshape([-1, 784])
        x = dropout(fc1(x).leakyRelu(negativeSlope: 0.2), p: 0.3)  // functional dropout: always on, as in the tutorial
        x = dropout(fc2(x).leakyRelu(negativeSlope: 0.2), p: 0.3)
        x = dropout(fc3(x).leakyRelu(negativeSlope: 0.2), p: 0.3)
        return fc4(x).sigmoid()
    }
}

func mlpGAN() -> Workload {
    let pool = realPool()
    let g = MLPGenerator(), d = MLPDiscriminator()
    let optG = Adam(g.parameters(), lr: 2e-4), optD = Adam(d.parameters(), lr: 2e-4)
    let ones = Tensor.ones([batchSize, 1]), zeros = Tensor.zeros([batchSize, 1])
    return Workload(step: { i in
        d.zeroGrad()
        let dReal = binaryCrossEntropy(d(pool[i % 8].reshape([-1, 784])), ones)
        let fake = g(Tensor.randn([batchSize, latent]))
        let dFake = binaryCrossEntropy(d(fake), zeros)
        (dReal + dFake).backward()
        optD.step()
        g.zeroGrad()
        let gLoss = binaryCrossEntropy(d(g(Tensor.randn([batchSize, latent]))), ones)
        gLoss.backward()
        optG.step()
        _ = gLoss.item()
    }, generate: { withNoGrad { g(Tensor.randn([64, latent])) } })
}

// MARK: B. Keras MLP GAN

func kerasGAN() -> Workload {
    let pool = realPool()
    func bn(_ n: Int) -> Module { BatchNorm1D(n, eps: 1e-3, momentum: 0.2) }  // Keras momentum 0.8
    let g = Sequential {
        Linear(latent, 256); LeakyReLU(0.2); bn(256)
        Linear(256, 512); LeakyReLU(0.2); bn(512)
        Linear(512, 1024); LeakyReLU(0.2); bn(1024)
        Linear(1024, 784); Tanh()
    }
    let d = Sequential {
        Flatten()
        Linear(784, 512); LeakyReLU(0.2)
        Linear(512, 256); LeakyReLU(0.2)
        Linear(256, 1); Sigmoid()
    }
    let optD = Adam(d.parameters(), lr: 2e-4, betas: (0.5, 0.999), eps: 1e-7)
    let optC = Adam(g.parameters(), lr: 2e-4, betas: (0.5, 0.999), eps: 1e-7)
    let ones = Tensor.ones([batchSize, 1]), zeros = Tensor.zeros([batchSize, 1])
    return Workload(step: { i in
        let images = pool[i % 8]
        g.eval()
        let generated = withNoGrad { g(Tensor.randn([batchSize, latent])).reshape([batchSize, 1, 28, 28]) }
        g.train()
        optD.zeroGrad()
        binaryCrossEntropy(d(images), ones).backward()
        optD.step()
        optD.zeroGrad()
        binaryCrossEntropy(d(generated), zeros).backward()
        optD.step()
        d.freeze()  // the combined model trains G through a frozen D
        optC.zeroGrad()
        let gLoss = binaryCrossEntropy(d(g(Tensor.randn([batchSize, latent]))), ones)
        gLoss.backward()
        optC.step()
        d.unfreeze()
        _ = gLoss.item()
    }, generate: { g.eval(); defer { g.train() }; return withNoGrad { g(Tensor.randn([64, latent])) } })
}

// MARK: C. DCGAN with upsample + conv (Paddle dygraph)

final class UpsampleDiscriminator: Module {
    let conv1 = Conv2D(1, 64, kernelSize: 3), bn1 = BatchNorm2D(64), pool1 = MaxPool2D(2)
    let conv2 = Conv2D(64, 128, kernelSize: 3), bn2 = BatchNorm2D(128), pool2 = MaxPool2D(2)
    let fc1 = Linear(128 * 5 * 5, 1024), bnfc1 = BatchNorm1D(1024), fc2 = Linear(1024, 1)
    override func forward(_ x: Tensor) -> Tensor {
        var y = pool1(bn1(conv1(x)).relu())
        y = pool2(bn2(conv2(y)).relu())
        y = bnfc1(fc1(y.reshape([-1, 128 * 5 * 5]))).relu()
        return fc2(y)
    }
}

final class UpsampleGenerator: Module {
    let fc1 = Linear(latent, 1024), bn1 = BatchNorm1D(1024)
    let fc2 = Linear(1024, 128 * 7 * 7), bn2 = BatchNorm1D(128 * 7 * 7)
    let conv1 = Conv2D(128, 64, kernelSize: 5, padding: 2), bn3 = BatchNorm2D(64)
    let conv2 = Conv2D(64, 1, kernelSize: 5, padding: 2)
    let up = Upsample(scaleFactor: 2, mode: .bilinear, alignCorners: true)
    override func forward(_ z: Tensor) -> Tensor {
        var y = bn1(fc1(z.reshape([-1, latent]))).tanh()
        y = bn2(fc2(y)).tanh().reshape([-1, 128, 7, 7])
        y = bn3(conv1(up(y))).tanh()
        return conv2(up(y)).tanh()
    }
}

func dcganUpsample() -> Workload {
    let pool = realPool()
    let g = UpsampleGenerator(), d = UpsampleDiscriminator()
    let realOpt = Adam(d.parameters(), lr: 2e-4), fakeOpt = Adam(d.parameters(), lr: 2e-4), gOpt = Adam(g.parameters(), lr: 2e-4)
    let ones = Tensor.ones([batchSize, 1]), zeros = Tensor.zeros([batchSize, 1])
    return Workload(step: { i in
        binaryCrossEntropyWithLogits(d(pool[i % 8]), ones).backward()
        realOpt.step()
        d.zeroGrad()
        let z = Tensor.randn([batchSize, latent, 1, 1])
        binaryCrossEntropyWithLogits(d(g(z)), zeros).backward()  // not detached, as in the seed
        fakeOpt.step()
        d.zeroGrad()
        let gLoss = binaryCrossEntropyWithLogits(d(g(z)), ones)
        gLoss.backward()
        gOpt.step()
        g.zeroGrad()
        _ = gLoss.item()
    }, generate: { g.eval(); defer { g.train() }; return withNoGrad { g(Tensor.randn([64, latent, 1, 1])) } })
}

// MARK: D. DCGAN with transposed convolutions (Paddle static graph)

final class TransposedGenerator: Module {
    let fc1 = Linear(latent, 2048), bn1 = BatchNorm1D(2048)
    let fc2 = Linear(2048, 128 * 7 * 7), bn2 = BatchNorm1D(128 * 7 * 7)
    let dc1 = ConvTranspose2D(128, 128, kernelSize: 5, stride: 2, padding: 2, outputPadding: 1)
    let dc2 = ConvTranspose2D(128, 1, kernelSize: 5, stride: 2, padding: 2, outputPadding: 1)
    override func forward(_ z: Tensor) -> Tensor {
        var y = bn1(fc1(z.reshape([-1, latent])))
        y = bn2(fc2(y)).reshape([-1, 128, 7, 7])
        y = dc1(y).relu()
        return dc2(y).tanh()
    }
}

final class TransposedDiscriminator: Module {
    let conv1 = Conv2D(1, 64, kernelSize: 5), conv2 = Conv2D(64, 128, kernelSize: 5), bn1 = BatchNorm2D(128)
    let fc1 = Linear(128 * 4 * 4, 1024), bn2 = BatchNorm1D(1024), fc2 = Linear(1024, 1)
    override func forward(_ x: Tensor) -> Tensor {
        var y = maxPool2d(conv1(x.reshape([-1, 1, 28, 28])).leakyRelu(negativeSlope: 0.02), kernelSize: [2, 2])
        y = maxPool2d(conv2(y), kernelSize: [2, 2])
        y = bn1(y).leakyRelu(negativeSlope: 0.02).reshape([-1, 128 * 4 * 4])
        y = bn2(fc1(y)).leakyRelu(negativeSlope: 0.02)
        return fc2(y).sigmoid()
    }
}

func dcganTransposed() -> Workload {
    let pool = realPool()
    let g = TransposedGenerator(), d = TransposedDiscriminator()
    let dFakeOpt = Adam(d.parameters(), lr: 2e-4), dRealOpt = Adam(d.parameters(), lr: 2e-4), gOpt = Adam(g.parameters(), lr: 2e-4)
    let ones = Tensor.ones([batchSize, 1]), zeros = Tensor.zeros([batchSize, 1])
    return Workload(step: { i in
        d.zeroGrad(); g.zeroGrad()
        // the tutorial applies BCE-with-logits to the sigmoid output; kept for a faithful timing
        binaryCrossEntropyWithLogits(d(g(Tensor.randn([batchSize, latent, 1, 1]))), zeros).backward()
        dFakeOpt.step()
        d.zeroGrad(); g.zeroGrad()
        binaryCrossEntropyWithLogits(d(pool[i % 8]), ones).backward()
        dRealOpt.step()
        d.zeroGrad(); g.zeroGrad()
        let gLoss = binaryCrossEntropyWithLogits(d(g(Tensor.randn([batchSize, latent, 1, 1]))), ones)
        gLoss.backward()
        gOpt.step()
        _ = gLoss.item()
    }, generate: { g.eval(); defer { g.train() }; return withNoGrad { g(Tensor.randn([64, latent, 1, 1])) } })
}

func makeWorkload(_ name: String) -> Workload {
    switch name {
    case "mlp-gan": return mlpGAN()
    case "keras-gan": return kerasGAN()
    case "dcgan-upsample": return dcganUpsample()
    default: return dcganTransposed()
    }
}
