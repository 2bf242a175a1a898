import Foundation
import XCTest
@testable import Ember

/// Optimizer behaviour: gradients, groups, skipping, versions, float64, hand-computed steps,
/// and the programmer errors that stop.
final class OptimizerTests: XCTestCase {
    func testZeroGradDropsOrZeroesInPlace() {
        let p = Tensor([1, 2], requiresGrad: true)
        let opt = SGD([p], lr: 0.1)
        (p * 3).sum().backward()
        let g = p.grad!
        opt.zeroGrad(setToNone: false)
        XCTAssertTrue(p.grad === g, "zeroGrad(setToNone: false) keeps the gradient tensor")
        XCTAssertEqual(p.grad!.toArray(), [0, 0])
        opt.zeroGrad()
        XCTAssertNil(p.grad, "PyTorch's default: set_to_none=True")
    }

    func testStepMatchesHandComputedSGDMomentum() {
        let p = Tensor([1.0], dtype: .float64, requiresGrad: true)
        let opt = SGD([p], lr: 0.1, momentum: 0.9)
        p.grad = Tensor([0.5], dtype: .float64)
        opt.step()                                   // buf = 0.5, p = 1 - 0.1·0.5
        XCTAssertEqual(p.doubleItem(), 0.95, accuracy: 1e-15)
        opt.step()                                   // buf = 0.9·0.5 + 0.5 = 0.95, p = 0.95 - 0.095
        XCTAssertEqual(p.doubleItem(), 0.855, accuracy: 1e-15)
        XCTAssertEqual(opt.state(for: p)["momentum_buffer"]!.doubleItem(), 0.95, accuracy: 1e-15)
    }

    func testStepMatchesHandComputedAdam() {
        // First Adam step: m = 0.1g, v = 0.001g², m̂/√v̂ = sign(g), so p moves by lr·g/(|g| + ε·…).
        let p = Tensor([1.0, -2.0], dtype: .float64, requiresGrad: true)
        let opt = Adam([p], lr: 0.01)
        p.grad = Tensor([4.0, -0.25], dtype: .float64)
        opt.step()
        let denom0 = (0.001 * 16.0).squareRoot() / (0.001).squareRoot() + 1e-8
        XCTAssertEqual(p[element: [0]], 1 - 0.01 / 0.1 * 0.4 / denom0, accuracy: 1e-15)
        XCTAssertEqual(p[element: [1]], -2 + 0.01, accuracy: 1e-9)
        XCTAssertEqual(opt.state(for: p)["step"]!.item(), 1)
        XCTAssertEqual(opt.state(for: p)["exp_avg"]!.toDoubleArray(), [0.4, -0.025], accuracy: 1e-15)  // weight 1 − 0.9 is 0.09999999999999998
    }

    func testParametersWithoutGradientAreSkipped() {
        let a = Tensor([1, 2], requiresGrad: true), b = Tensor([3, 4], requiresGrad: true)
        let opt = Adam([a, b], lr: 0.1)
        a.grad = Tensor([1, 1])
        opt.step()
        XCTAssertEqual(b.toArray(), [3, 4])
        XCTAssertTrue(opt.state(for: b).isEmpty)
        XCTAssertEqual(opt.stateDict().state.keys.sorted(), [0])
        b.grad = Tensor([1, 1])
        opt.step()
        XCTAssertEqual(opt.state(for: a)["step"]!.item(), 2)
        XCTAssertEqual(opt.state(for: b)["step"]!.item(), 1, "each parameter counts its own steps")
    }

    func testStepUpdatesInPlaceBumpsVersionAndRecordsNothing() {
        let p = Tensor([1, 2, 3], requiresGrad: true)
        let opt = SGD([p], lr: 0.5)
        let saved = p.storage
        let version = p.storage.version
        p.grad = Tensor([2, 2, 2])
        opt.step()
        XCTAssertTrue(p.storage === saved, "in place")
        XCTAssertGreaterThan(p.storage.version, version)
        XCTAssertTrue(p.isLeaf)
        XCTAssertTrue(p.requiresGrad)
        XCTAssertEqual(p.toArray(), [0, 1, 2])
        XCTAssertEqual(p.grad!.toArray(), [2, 2, 2], "the gradient is left alone")
        XCTAssertTrue(Autograd.isGradEnabled)
    }

    func testGroupsTakeDefaultsAndOverrides() {
        let a = Tensor([1], requiresGrad: true), b = Tensor([1], requiresGrad: true)
        let opt = Adam([ParameterGroup([a]), ParameterGroup([b], lr: 0.01, options: ["betas": [0.5, 0.999]])],
                       lr: 0.001, weightDecay: 1e-4)
        XCTAssertEqual(opt.paramGroups[0].lr, 0.001)
        XCTAssertEqual(opt.paramGroups[1].lr, 0.01)
        XCTAssertEqual(opt.paramGroups[0]["betas"], [0.9, 0.999])
        XCTAssertEqual(opt.paramGroups[1]["betas"], [0.5, 0.999])
        XCTAssertEqual(opt.paramGroups[1]["weight_decay"], .double(1e-4))
        XCTAssertEqual(Set(opt.paramGroups[0].options.keys),
                       ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"])
        XCTAssertEqual(opt.defaults["lr"], 0.001)
        XCTAssertEqual(opt.parameters.count, 2)
    }

    func testChangingLearningRateTakesEffect() {
        let p = Tensor([1], requiresGrad: true)
        let opt = SGD([p], lr: 0.1)
        opt.paramGroups[0].lr = 0.5
        opt.paramGroups[0]["momentum"] = 0  // an int where a double is expected: stored as the double
        XCTAssertEqual(opt.paramGroups[0]["momentum"], .double(0))
        p.grad = Tensor([1])
        opt.step()
        XCTAssertEqual(p.item(), 0.5)
    }

    func testAddParamGroupFillsDefaultsAndCreatesAdagradState() {
        let a = Tensor([1], requiresGrad: true), b = Tensor([2, 3], requiresGrad: true)
        let opt = Adagrad([a], lr: 0.1, initialAccumulatorValue: 0.5)
        XCTAssertEqual(opt.state(for: a)["sum"]!.toArray(), [0.5])
        XCTAssertEqual(opt.state(for: a)["step"]!.shape, [])
        opt.addParamGroup(ParameterGroup([b], lr: 0.2))
        XCTAssertEqual(opt.paramGroups.count, 2)
        XCTAssertEqual(opt.paramGroups[1]["lr_decay"], .double(0))
        XCTAssertEqual(opt.state(for: b)["sum"]!.toArray(), [0.5, 0.5])
    }

    func testMaximizeAscends() {
        let makers: [(Tensor) -> Optimizer] = [
            { SGD([$0], lr: 0.1, maximize: true) }, { Adam([$0], lr: 0.1, maximize: true) },
            { RMSprop([$0], lr: 0.1, maximize: true) }, { Adagrad([$0], lr: 0.1, maximize: true) },
        ]
        for make in makers {
            let p = Tensor([1], requiresGrad: true)
            let opt = make(p)
            p.grad = Tensor([1])
            opt.step()
            XCTAssertGreaterThan(p.item(), 1, opt.name)
        }
    }

    func testStepWithClosureReturnsLoss() {
        let p = Tensor([3], requiresGrad: true)
        let opt = SGD([p], lr: 0.25)
        let loss = withNoGrad {
            opt.step {
                opt.zeroGrad()
                let l = (p * p).sum()  // grad 2p = 6
                l.backward()
                return l
            }
        }
        XCTAssertEqual(loss.item(), 9)
        XCTAssertEqual(p.item(), 1.5)
    }

    func testNonContiguousGradientIsAccepted() {
        let p = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
        let opt = SGD([p], lr: 1)
        p.grad = Tensor([1, 2, 3, 4], shape: [2, 2]).transposed(0, 1)  // [[1, 3], [2, 4]]
        opt.step()
        XCTAssertEqual(p.toArray(), [0, -1, 1, 0])
    }

    /// Large parameters are split across threads; the result is bit-identical to one thread.
    func testThreadedUpdateEqualsSingleThreaded() {
        let n = 300_000
        let start = Tensor.randn([n]), grad = Tensor.randn([n])
        func run(threads: Int, _ make: ([Tensor]) -> Optimizer) -> [UInt32] {
            let saved = Threading.maxThreads
            Threading.maxThreads = threads
            defer { Threading.maxThreads = saved }
            let p = start.contiguousCopy().requiringGrad()
            let opt = make([p])
            for _ in 0..<3 { p.grad = grad; opt.step() }
            return p.contiguousArray(Float.self).map(\.bitPattern)
        }
        let makers: [([Tensor]) -> Optimizer] = [
            { SGD($0, lr: 0.1, momentum: 0.9, nesterov: true) }, { Adam($0, amsgrad: true) },
            { RMSprop($0, momentum: 0.5, centered: true) }, { Adagrad($0, lrDecay: 0.1) },
        ]
        for make in makers {
            XCTAssertEqual(run(threads: 1, make), run(threads: 2, make))
        }
    }

    /// Every fixture configuration on float64 parameters lands where PyTorch's float32 run does.
    func testFloat64ParametersFollowTheSameRules() throws {
        let file = try OptimizerFixtureFile.load()
        for c in file.cases {
            let params = file.problem.initial_params.map { $0.tensor.to(.float64).requiringGrad() }
            let opt = makeFixtureOptimizer(c, params)
            for _ in 0..<c.steps {
                for (i, p) in params.enumerated() {
                    let v = zip(p.toDoubleArray(), zip(file.problem.a[i].data, file.problem.b[i].data)).map { $0 * $1.0 - $1.1 }
                    p.grad = Tensor(v, shape: p.shape, dtype: .float64)
                }
                opt.step()
            }
            for (i, p) in params.enumerated() {
                XCTAssertEqual(p.dtype, .float64)
                compare(p.toDoubleArray(), c.final_params[i].data, rtol: 1e-4, atol: 1e-5, "\(c.name) float64 params[\(i)]")
                for (k, t) in opt.state(for: p) where k != "step" { XCTAssertEqual(t.dtype, .float64, "\(c.name) \(k)") }
            }
        }
    }

    // MARK: Programmer errors

    func testInvalidConfigurationsStop() {
        assertStops("EmberTests.OptimizerTests/testDeathNesterov", with: "Nesterov momentum requires a momentum and zero dampening")
        assertStops("EmberTests.OptimizerTests/testDeathNegativeLR", with: "Invalid learning rate: -1.0")
        assertStops("EmberTests.OptimizerTests/testDeathBeta", with: "Invalid beta parameter at index 1: 1.0")
        assertStops("EmberTests.OptimizerTests/testDeathEmpty", with: "optimizer got an empty parameter list")
        assertStops("EmberTests.OptimizerTests/testDeathDuplicate", with: "some parameters appear more than once")
        assertStops("EmberTests.OptimizerTests/testDeathUnknownKey", with: "unexpected key \"momentun\"")
        assertStops("EmberTests.OptimizerTests/testDeathNonLeaf", with: "can't optimize a non-leaf Tensor")
        assertStops("EmberTests.OptimizerTests/testDeathReplaceGroups", with: "add groups with addParamGroup")
    }

    func testDeathNesterov() {
        guard isDeathTestChild else { return }
        _ = SGD([Tensor([1], requiresGrad: true)], lr: 0.1, nesterov: true)
    }

    func testDeathNegativeLR() {
        guard isDeathTestChild else { return }
        _ = Adam([Tensor([1], requiresGrad: true)], lr: -1)
    }

    func testDeathBeta() {
        guard isDeathTestChild else { return }
        _ = AdamW([Tensor([1], requiresGrad: true)], betas: (0.9, 1.0))
    }

    func testDeathEmpty() {
        guard isDeathTestChild else { return }
        _ = SGD([Tensor](), lr: 0.1)
    }

    func testDeathDuplicate() {
        guard isDeathTestChild else { return }
        let p = Tensor([1], requiresGrad: true)
        _ = SGD([ParameterGroup([p]), ParameterGroup([p])], lr: 0.1)
    }

    func testDeathUnknownKey() {
        guard isDeathTestChild else { return }
        _ = SGD([ParameterGroup([Tensor([1], requiresGrad: true)], options: ["momentun": 0.9])], lr: 0.1)
    }

    func testDeathNonLeaf() {
        guard isDeathTestChild else { return }
        let p = Tensor([1], requiresGrad: true)
        _ = SGD([p * 2], lr: 0.1)
    }

    func testDeathReplaceGroups() {
        guard isDeathTestChild else { return }
        let opt = SGD([Tensor([1], requiresGrad: true)], lr: 0.1)
        opt.paramGroups.append(ParameterGroup([Tensor([2], requiresGrad: true)]))
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
