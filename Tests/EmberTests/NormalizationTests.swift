import XCTest
@testable import Ember

/// One case of batchnorm.json (FIXTURES.md section 5).
struct BatchNormFixture: Decodable {
    struct Step: Decodable {
        let input: FixtureTensor, upstream: FixtureTensor, output: FixtureTensor
        let grads: [String: FixtureTensor]
        let runningMean: FixtureTensor?, runningVar: FixtureTensor?, numBatchesTracked: Int?
        enum CodingKeys: String, CodingKey {
            case input, upstream, output, grads
            case runningMean = "running_mean", runningVar = "running_var", numBatchesTracked = "num_batches_tracked"
        }
    }
    let name: String, op: String, dtype: String
    let params: [String: FixtureValue]
    let weight: FixtureTensor, bias: FixtureTensor
    let initialRunningMean: FixtureTensor, initialRunningVar: FixtureTensor
    let trainSteps: [Step]
    let runningMean: FixtureTensor, runningVar: FixtureTensor, numBatchesTracked: Int
    let stateDictKeys: [String]
    let stateDictDtypes: [String: String]
    let eval: Step
    enum CodingKeys: String, CodingKey {
        case name, op, dtype, params, weight, bias, eval
        case initialRunningMean = "initial_running_mean", initialRunningVar = "initial_running_var"
        case trainSteps = "train_steps", runningMean = "running_mean", runningVar = "running_var"
        case numBatchesTracked = "num_batches_tracked", stateDictKeys = "state_dict_keys", stateDictDtypes = "state_dict_dtypes"
    }
}

final class NormalizationTests: XCTestCase {
    /// Three training steps (outputs, grads, running statistics, counter) and one eval step per case.
    func testBatchNormMatchesPyTorch() throws {
        let cases = try loadFixtures("batchnorm", as: BatchNormFixture.self)
        XCTAssertEqual(cases.count, 9)
        for c in cases {
            let f64 = c.dtype == "float64"
            let (rtol, atol) = f64 ? (1e-10, 1e-12) : (1e-4, 1e-5)
            let momentum = c.params["momentum"]!.double
            let eps = c.params["eps"]!.double!
            XCTAssertEqual(c.stateDictDtypes["num_batches_tracked"], "int64")
            let weight = c.weight.tensor.requiringGrad(), bias = c.bias.tensor.requiringGrad()
            let runningMean = c.initialRunningMean.tensor, runningVar = c.initialRunningVar.tensor
            let tracked = Tensor(indices: [0], shape: [])
            func step(_ s: BatchNormFixture.Step, training: Bool, _ label: String) {
                weight.grad = nil; bias.grad = nil
                let x = s.input.tensor.requiringGrad()
                let y = batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                                  training: training, momentum: momentum, eps: eps, numBatchesTracked: tracked)
                XCTAssertEqual(y.shape, s.output.shape)
                compare(y.toDoubleArray(), s.output.data, rtol: rtol, atol: atol, "\(label) output")
                y.backward(gradient: s.upstream.tensor)
                compare(x.grad!.toDoubleArray(), s.grads["x"]!.data, rtol: rtol, atol: atol, "\(label) grad x")
                compare(weight.grad!.toDoubleArray(), s.grads["weight"]!.data, rtol: rtol, atol: atol, "\(label) grad weight")
                compare(bias.grad!.toDoubleArray(), s.grads["bias"]!.data, rtol: rtol, atol: atol, "\(label) grad bias")
            }
            for (k, s) in c.trainSteps.enumerated() {
                let label = "\(c.name) step \(k + 1)"
                step(s, training: true, label)
                compare(runningMean.toDoubleArray(), s.runningMean!.data, rtol: rtol, atol: atol, "\(label) running_mean")
                compare(runningVar.toDoubleArray(), s.runningVar!.data, rtol: rtol, atol: atol, "\(label) running_var")
                XCTAssertEqual(tracked.intItem(), s.numBatchesTracked!, "\(label) num_batches_tracked")
            }
            compare(runningMean.toDoubleArray(), c.runningMean.data, rtol: rtol, atol: atol, "\(c.name) final running_mean")
            compare(runningVar.toDoubleArray(), c.runningVar.data, rtol: rtol, atol: atol, "\(c.name) final running_var")
            XCTAssertEqual(tracked.intItem(), c.numBatchesTracked)
            let before = runningMean.toDoubleArray()
            step(c.eval, training: false, "\(c.name) eval")
            XCTAssertEqual(runningMean.toDoubleArray(), before, "eval must not change the running statistics")
            XCTAssertEqual(tracked.intItem(), c.numBatchesTracked)
        }
    }

    func testBatchNormGradients() {
        for shape in [[5, 3], [4, 3, 5], [3, 2, 4, 5]] {
            let c = shape[1]
            let x = leaf(shape, -2, 3), w = leaf([c], 0.5, 1.5, seed: 2), b = leaf([c], seed: 3)
            gradCheck("batchNorm train \(shape)", [x, w, b]) {
                batchNorm($0[0], runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true)
            }
            gradCheck("batchNorm train no affine \(shape)", [x]) {
                batchNorm($0[0], runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
            }
            let rm = Tensor.uniform([c], low: -1, high: 1, dtype: .float64), rv = Tensor.uniform([c], low: 0.5, high: 2, dtype: .float64)
            gradCheck("batchNorm eval \(shape)", [x, w, b]) {
                batchNorm($0[0], runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false)
            }
        }
        // Strided (non-contiguous) input.
        gradCheck("batchNorm strided", [leaf([3, 5, 4])]) {
            batchNorm($0[0].permute([0, 2, 1]), runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
        }
    }

    func testBatchNormSecondDerivatives() {
        let x = leaf([4, 2, 3]), w = leaf([2], 0.5, 1.5, seed: 2), b = leaf([2], seed: 3)
        for training in [true, false] {
            let rm = Tensor([0.2, -0.1], dtype: .float64), rv = Tensor([1.5, 0.7], dtype: .float64)
            gradCheck("batchNorm double backward training=\(training)", [x, w, b]) { t in withGradEnabled(true) {
                let y = batchNorm(t[0], runningMean: training ? nil : rm, runningVar: training ? nil : rv,
                                  weight: t[1], bias: t[2], training: training).tanh()
                let g = gradients(of: (y * y).sum(), withRespectTo: [t[0], t[1]], createGraph: true)
                return g[0]!.square().sum() + g[1]!.square().sum()
            } }
        }
    }

    func testRunningStatisticsUpdate() {
        let x = Tensor.randn([4, 3, 2, 2], dtype: .float64)
        let rm = Tensor.zeros([3], dtype: .float64), rv = Tensor.ones([3], dtype: .float64)
        let version = rv.storage.version
        _ = batchNorm(x, runningMean: rm, runningVar: rv, weight: nil, bias: nil, training: true, momentum: 0.1)
        XCTAssertGreaterThan(rv.storage.version, version, "in-place updates bump the version")
        let mean = x.mean(dims: [0, 2, 3]).toDoubleArray(), unbiased = x.variance(dims: [0, 2, 3]).toDoubleArray()
        assertClose(rm.toDoubleArray(), mean.map { 0.1 * $0 })
        assertClose(rv.toDoubleArray(), unbiased.map { 0.9 + 0.1 * $0 })
        XCTAssertFalse(rm.requiresGrad)
        // Cumulative average: after one batch the running statistics are that batch's.
        let tracked = Tensor(indices: [0], shape: [])
        let rm2 = Tensor.zeros([3], dtype: .float64), rv2 = Tensor.ones([3], dtype: .float64)
        _ = batchNorm(x, runningMean: rm2, runningVar: rv2, weight: nil, bias: nil, training: true, momentum: nil, numBatchesTracked: tracked)
        assertClose(rm2.toDoubleArray(), mean)
        assertClose(rv2.toDoubleArray(), unbiased)
        XCTAssertEqual(tracked.intItem(), 1)
        // Float32 with a large mean: the one-pass statistics must not cancel.
        let big = Tensor.randn([64, 2, 8, 8]) + 1000
        let y = batchNorm(big, runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
        XCTAssertEqual(y.variance(dims: [0, 2, 3], correction: 0).toArray()[0], 1, accuracy: 1e-3)
    }

    func testErrorMessages() {
        assertStops("EmberTests.NormalizationTests/testDeathOneValuePerChannel",
                    with: "batchNorm: Expected more than 1 value per channel when training, got input size [1, 3]")
    }

    func testDeathOneValuePerChannel() {
        guard isDeathTestChild else { return }
        _ = batchNorm(Tensor.zeros([1, 3]), runningMean: nil, runningVar: nil, weight: nil, bias: nil, training: true)
    }
}
