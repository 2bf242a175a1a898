import XCTest
@testable import Ember

/// The float32 fast paths (batch-parallel im2col + GEMM, the "same"-convolution data gradient as
/// a forward convolution, the direct kernel for 1-2 output channels, bilinear resampling) at the
/// exact shapes of tutorial 04's upsample generator, against the same ops in float64 (the
/// generic loops). Gradient checks run on small float64 tensors; this covers the large float32 ones.
final class GeneratorShapeConsistencyTests: XCTestCase {
    /// Largest |a − b| relative to the largest |b|.
    func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
        let x = a.toDoubleArray(), y = b.toDoubleArray()
        XCTAssertEqual(x.count, y.count)
        let scale = max(y.map { abs($0) }.max() ?? 1, 1e-30)
        return zip(x, y).map { abs($0 - $1) }.max()! / scale
    }

    /// y = conv(upsample(x)) then a random linear functional; compares y, dL/dx, dL/dw, dL/db.
    func checkUpsampleConv(batch: Int, inChannels: Int, outChannels: Int, size: Int, threads: Int) {
        let saved = Threading.maxThreads
        Threading.maxThreads = threads
        defer { Threading.maxThreads = saved }
        let gen = Generator(seed: 7)
        let x64 = Tensor.randn([batch, inChannels, size, size], dtype: .float64, generator: gen)
        let w64 = (Tensor.randn([outChannels, inChannels, 5, 5], dtype: .float64, generator: gen) * 0.05)
        let b64 = Tensor.randn([outChannels], dtype: .float64, generator: gen)
        let probe64 = Tensor.randn([batch, outChannels, 2 * size, 2 * size], dtype: .float64, generator: gen)
        var results: [[Tensor]] = []
        for dtype in [DType.float32, .float64] {
            let x = x64.to(dtype).requiringGrad(), w = w64.to(dtype).requiringGrad(), b = b64.to(dtype).requiringGrad()
            let up = interpolate(x, scaleFactor: [2, 2], mode: .bilinear, alignCorners: true)
            let y = conv2d(up, weight: w, bias: b, padding: 2).tanh()
            (y * probe64.to(dtype)).sum().backward()
            results.append([y, x.grad!, w.grad!, b.grad!])
        }
        let label = "[\(batch), \(inChannels), \(size), \(size)] -> \(outChannels) channels, \(threads) threads"
        for (i, name) in ["output", "input gradient", "weight gradient", "bias gradient"].enumerated() {
            XCTAssertLessThan(relativeError(results[0][i], results[1][i]), 1e-4, "\(name) \(label)")
        }
    }

    func testGeneratorFirstUpsampleConv() {
        for threads in [1, 2] { checkUpsampleConv(batch: 4, inChannels: 128, outChannels: 64, size: 7, threads: threads) }
    }

    func testGeneratorLastUpsampleConv() {
        for threads in [1, 2] { checkUpsampleConv(batch: 4, inChannels: 64, outChannels: 1, size: 14, threads: threads) }
    }

    /// Training-mode batch norm + tanh, then a random linear functional; compares the output and
    /// the gradients of input, scale and shift between float32 and float64.
    func checkBatchNormTanh(shape: [Int], threads: Int) {
        let saved = Threading.maxThreads
        Threading.maxThreads = threads
        defer { Threading.maxThreads = saved }
        let gen = Generator(seed: 11)
        let channels = shape[1]
        let x64 = Tensor.randn(shape, dtype: .float64, generator: gen) * 3 + 0.5
        let w64 = Tensor.randn([channels], dtype: .float64, generator: gen)
        let b64 = Tensor.randn([channels], dtype: .float64, generator: gen)
        let probe64 = Tensor.randn(shape, dtype: .float64, generator: gen)
        var results: [[Tensor]] = []
        for dtype in [DType.float32, .float64] {
            let x = x64.to(dtype).requiringGrad(), w = w64.to(dtype).requiringGrad(), b = b64.to(dtype).requiringGrad()
            let runningMean = Tensor.zeros([channels], dtype: dtype), runningVar = Tensor.ones([channels], dtype: dtype)
            let y = batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: w, bias: b, training: true).tanh()
            (y * probe64.to(dtype)).sum().backward()
            results.append([y, x.grad!, w.grad!, b.grad!, runningMean, runningVar])
        }
        let label = "\(shape), \(threads) threads"
        for (i, name) in ["output", "input gradient", "weight gradient", "bias gradient", "running mean", "running variance"].enumerated() {
            XCTAssertLessThan(relativeError(results[0][i], results[1][i]), 1e-4, "\(name) \(label)")
        }
    }

    func testGeneratorBatchNorms() {
        for threads in [1, 2] {
            checkBatchNormTanh(shape: [16, 128 * 7 * 7], threads: threads)     // bn2: BatchNorm1D(6272)
            checkBatchNormTanh(shape: [16, 64, 14, 14], threads: threads)     // bn3: BatchNorm2D(64)
            checkBatchNormTanh(shape: [64, 1024], threads: threads)           // bn1: BatchNorm1D(1024)
        }
    }
}
