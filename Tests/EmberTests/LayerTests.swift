import XCTest
@testable import Ember

/// The layer classes wrapping the functional ops: names, defaults, modes and shapes.
final class LayerTests: XCTestCase {
    func kerasGenerator() -> Sequential {
        Sequential {
            Linear(100, 256); LeakyReLU(0.2); BatchNorm1D(256, momentum: 0.2)
            Linear(256, 512); LeakyReLU(0.2); BatchNorm1D(512, momentum: 0.2)
            Linear(512, 1024); LeakyReLU(0.2); BatchNorm1D(1024, momentum: 0.2)
            Linear(1024, 784); Tanh(); Reshape([28, 28, 1])
        }
    }

    func testKerasGeneratorSummaryCounts() {
        let g = kerasGenerator()
        XCTAssertEqual(g.parameterCounts(), ParameterCounts(total: 1_493_520, trainable: 1_489_936, nonTrainable: 3_584))
        let text = g.summary(inputShape: [100])
        XCTAssertTrue(text.contains("Total params: 1,493,520"), text)
        XCTAssertTrue(text.contains("Trainable params: 1,489,936"), text)
        XCTAssertTrue(text.contains("Non-trainable params: 3,584"), text)
        XCTAssertTrue(text.contains("[-1, 28, 28, 1]"), text)
        XCTAssertTrue(text.contains("BatchNorm1D"), text)
        XCTAssertTrue(g.isTraining)  // summary restores the mode
    }

    func testBatchNormKeysAndModes() throws {
        let bn = BatchNorm2D(3)
        XCTAssertEqual(bn.stateDict().keys, ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(bn.parameters().count, 2)
        XCTAssertEqual(bn.buffers().count, 3)
        let x = Tensor.randn([4, 3, 2, 2], generator: Generator(seed: 1)) * 3 + 1
        let y = bn(x)
        // training: per-channel batch statistics → mean 0, biased variance 1
        XCTAssertEqual(y.mean(dims: [0, 2, 3]).abs().max().item(), 0, accuracy: 1e-5)
        XCTAssertEqual(bn.numBatchesTracked.intItem(), 1)
        let batchMean = x.mean(dims: [0, 2, 3])
        assertClose(bn.runningMean.toArray(), (batchMean * 0.1).toArray(), atol: 1e-5)
        bn.eval()
        let z = bn(x)
        let expected = (x - bn.runningMean.reshape([1, 3, 1, 1])) / (bn.runningVar.reshape([1, 3, 1, 1]) + 1e-5).sqrt()
        assertClose(z.toArray(), expected.toArray(), atol: 1e-5)
        XCTAssertEqual(bn.numBatchesTracked.intItem(), 1)  // eval does not count
    }

    func testConvLayersShapesAndInit() {
        let conv = Conv2D(1, 64, kernelSize: 5, padding: 2)
        XCTAssertEqual(conv.weight.shape, [64, 1, 5, 5])
        XCTAssertEqual(conv(Tensor.zeros([2, 1, 28, 28])).shape, [2, 64, 28, 28])
        XCTAssertLessThanOrEqual(conv.weight.abs().max().item(), Float(1 / 25.0.squareRoot()))
        let same = Conv2D(3, 4, kernelSize: 3, padding: .same)
        XCTAssertEqual(same(Tensor.zeros([1, 3, 7, 9])).shape, [1, 4, 7, 9])
        let up = ConvTranspose2D(128, 64, kernelSize: 5, stride: 2, padding: 2)
        XCTAssertEqual(up.weight.shape, [128, 64, 5, 5])
        // PyTorch's fan-in for transposed convolutions comes from dimension 1: 1/√(64·25) = 0.025
        XCTAssertLessThanOrEqual(up.weight.abs().max().item(), 0.025)
        XCTAssertGreaterThan(up.weight.abs().max().item(), 0.0249)
        let x = Tensor.zeros([2, 128, 7, 7])
        XCTAssertEqual(up(x).shape, [2, 64, 13, 13])
        XCTAssertEqual(up(x, outputSize: [14, 14]).shape, [2, 64, 14, 14])
        let first = ConvTranspose2D(100, 64, kernelSize: 4, stride: 1, padding: 0)
        XCTAssertEqual(first(Tensor.zeros([2, 100, 1, 1])).shape, [2, 64, 4, 4])
        XCTAssertEqual(ConvTranspose2D(8, 8, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1)(Tensor.zeros([1, 8, 7, 7])).shape, [1, 8, 14, 14])
    }

    func testPoolingUpsampleEmbeddingLayers() {
        let x = Tensor.arange(0, 16).reshape([1, 1, 4, 4])
        XCTAssertEqual(MaxPool2D(2)(x).toArray(), [5, 7, 13, 15])
        XCTAssertEqual(AvgPool2D(2)(x).toArray(), [2.5, 4.5, 10.5, 12.5])
        XCTAssertEqual(AdaptiveAvgPool2D([1])(x).toArray(), [7.5])
        let small = Tensor([0, 1, 2, 3], shape: [1, 1, 2, 2])
        XCTAssertEqual(Upsample(scaleFactor: 2)(small).toArray(), [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3])
        let bilinear = Upsample(scaleFactor: 2, mode: .bilinear, alignCorners: false)(small).toArray()
        XCTAssertEqual(Array(bilinear[0..<8]), [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5])
        let e = Embedding(10, 4, paddingIndex: 0)
        XCTAssertEqual(e.weight.select(dim: 0, index: 0).toArray(), [0, 0, 0, 0])
        let out = e(Tensor(indices: [3, 0, 3], shape: [3]))
        XCTAssertEqual(out.shape, [3, 4])
        XCTAssertEqual(out[0].toArray(), e.weight[3].toArray())
        out.sum().backward()
        XCTAssertEqual(e.weight.grad![3].toArray(), [2, 2, 2, 2])
        XCTAssertEqual(e.weight.grad![0].toArray(), [0, 0, 0, 0])
    }

    func testDCGANInitOneLiner() {
        let g = Sequential { ConvTranspose2D(100, 64, kernelSize: 4); BatchNorm2D(64); ReLU(); Conv2D(64, 1, kernelSize: 3) }
        g.apply { m in
            if let c = m as? Conv2D { Init.normal(c.weight, std: 0.02) }
            if let c = m as? ConvTranspose2D { Init.normal(c.weight, std: 0.02) }
            if let bn = m as? BatchNorm2D { Init.normal(bn.weight!, mean: 1, std: 0.02); Init.zeros(bn.bias!) }
        }
        XCTAssertEqual((g[0] as! ConvTranspose2D).weight.std().item(), 0.02, accuracy: 0.001)
        XCTAssertEqual((g[1] as! BatchNorm2D).weight!.mean().item(), 1, accuracy: 0.01)
        XCTAssertEqual(g.stateDict().keys.first, "0.weight")
        XCTAssertTrue(g.stateDict().keys.contains("1.running_var"))
    }
}
