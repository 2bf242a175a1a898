import Foundation
import XCTest
@testable import Ember

// Fixtures/optimizers.json (FIXTURES.md section 7): 100 steps of each optimizer on
// g = p·a − b, with parameters and state compared with PyTorch's.

struct OptimizerFixtureFile: Decodable {
    struct Problem: Decodable {
        let initial_params: [FixtureTensor]
        let a: [FixtureTensor]
        let b: [FixtureTensor]
    }
    struct Snapshot: Decodable {
        let params: [FixtureTensor]
        let state: [String: [String: FixtureTensor]]
    }
    struct TrajectoryPoint: Decodable {
        let step: Int
        let params: [FixtureTensor]
    }
    struct StateDict: Decodable {
        let state: [String: [String: FixtureTensor]]
        let param_groups: [[String: FixtureValue]]
    }
    struct Case: Decodable {
        let name: String
        let op: String
        let hyperparameters: [String: FixtureValue]
        let param_groups_spec: [[String: FixtureValue]]?
        let steps: Int
        let after_step_1: Snapshot
        let trajectory: [TrajectoryPoint]
        let final_params: [FixtureTensor]
        let final_state: [String: [String: FixtureTensor]]
        let state_dict: StateDict
    }
    let problem: Problem
    let cases: [Case]

    static func load() throws -> OptimizerFixtureFile {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "optimizers", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(OptimizerFixtureFile.self, from: Data(contentsOf: url))
    }
}

extension FixtureValue {
    /// The fixture's JSON value as a hyper-parameter.
    var stateValue: StateValue? {
        switch self {
        case .number(let n): return .double(n)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .array(let a): return .doubles(a.compactMap(\.double))
        case .object, .null: return nil
        }
    }
}

/// Builds the optimizer of a fixture case over `params` (torch call in the case's `torch` field).
func makeFixtureOptimizer(_ c: OptimizerFixtureFile.Case, _ params: [Tensor]) -> Optimizer {
    let h = c.hyperparameters
    func d(_ k: String, _ def: Double) -> Double { h[k]?.double ?? def }
    func b(_ k: String) -> Bool { h[k]?.bool ?? false }
    let groups: [ParameterGroup]
    if let spec = c.param_groups_spec {
        groups = spec.map { g in
            var options: [String: StateValue] = [:]
            for (k, v) in g where k != "params" { options[k] = v.stateValue }
            return ParameterGroup(g["params"]!.ints!.map { params[$0] }, options: options)
        }
    } else {
        groups = [ParameterGroup(params)]
    }
    var betas = (0.9, 0.999)
    if case .array(let v)? = h["betas"] { betas = (v[0].double!, v[1].double!) }
    switch c.op {
    case "SGD":
        return SGD(groups, lr: d("lr", 1e-3), momentum: d("momentum", 0), dampening: d("dampening", 0),
                   weightDecay: d("weight_decay", 0), nesterov: b("nesterov"))
    case "Adam":
        return Adam(groups, lr: d("lr", 1e-3), betas: betas, eps: d("eps", 1e-8), weightDecay: d("weight_decay", 0),
                    amsgrad: b("amsgrad"))
    case "AdamW":
        return AdamW(groups, lr: d("lr", 1e-3), betas: betas, eps: d("eps", 1e-8), weightDecay: d("weight_decay", 1e-2),
                     amsgrad: b("amsgrad"))
    case "RMSprop":
        return RMSprop(groups, lr: d("lr", 1e-2), alpha: d("alpha", 0.99), eps: d("eps", 1e-8),
                       weightDecay: d("weight_decay", 0), momentum: d("momentum", 0), centered: b("centered"))
    case "Adagrad":
        return Adagrad(groups, lr: d("lr", 1e-2), lrDecay: d("lr_decay", 0), weightDecay: d("weight_decay", 0),
                       initialAccumulatorValue: d("initial_accumulator_value", 0), eps: d("eps", 1e-10))
    default:
        fatalError("unknown optimizer \(c.op)")
    }
}

/// Sets `p.grad = p·a − b` in float32 with two roundings (no FMA), as the fixtures did.
func setFixtureGradients(_ params: [Tensor], _ a: [[Float]], _ b: [[Float]]) {
    for (i, p) in params.enumerated() {
        let pv = p.contiguousArray(Float.self)
        var g = [Float](repeating: 0, count: pv.count)
        for j in pv.indices {
            let t = pv[j] * a[i][j]
            g[j] = t - b[i][j]
        }
        p.grad = Tensor(g, shape: p.shape)
    }
}

/// Largest relative deviation and count of differing elements between actual and expected values.
struct Deviation {
    var maxRelative = 0.0
    var differing = 0
    var total = 0
    mutating func add(_ actual: [Double], _ expected: [Double]) {
        for (x, y) in zip(actual, expected) {
            total += 1
            if x != y {
                differing += 1
                maxRelative = Swift.max(maxRelative, Swift.abs(x - y) / Swift.max(Swift.abs(y), 1e-30))
            }
        }
    }
}

final class OptimizerReferenceTests: XCTestCase {
    /// Cases FIXTURES.md 7.4 says the fused-multiply-add formulas reproduce bit for bit
    /// (the three Adagrad ones measured: `adagrad_default` meets torch's inexact sqrt at step 2).
    static let exactCases: Set<String> = [
        "sgd_plain", "sgd_momentum0.9", "sgd_momentum0.9_dampening0.1", "sgd_nesterov0.9", "sgd_weight_decay0.01",
        "sgd_momentum0.9_weight_decay0.01", "sgd_momentum0.9_two_groups",
        "adam_default", "adam_amsgrad", "adam_betas0.5_0.999_lr2e-4",
        "adagrad_lr_decay0.01", "adagrad_initial_accumulator0.1", "adagrad_weight_decay0.01",
    ]

    func testAllOptimizersMatchPyTorchOverHundredSteps() throws {
        let file = try OptimizerFixtureFile.load()
        XCTAssertEqual(file.cases.count, 24)
        let a = file.problem.a.map(\.floats), b = file.problem.b.map(\.floats)
        var paramDeviation = Deviation(), stateDeviation = Deviation(), finalDeviation = Deviation()
        for c in file.cases {
            let params = file.problem.initial_params.map { $0.tensor.requiringGrad() }
            let opt = makeFixtureOptimizer(c, params)
            var caseDeviation = Deviation()
            let exact = Self.exactCases.contains(c.name)
            func check(_ actual: Tensor, _ expected: FixtureTensor, _ what: String, isState: Bool = false, atol: Double = 1e-6) {
                XCTAssertEqual(actual.shape, expected.shape, "\(c.name) \(what): shape")
                XCTAssertEqual(actual.dtype.rawValue, expected.dtype, "\(c.name) \(what): dtype")
                // float32 values are stored as the shortest decimal: round them back to the float.
                let want = expected.dtype == "float32" ? expected.data.map { Double(Float($0)) } : expected.data
                let got = actual.toDoubleArray()
                if exact {
                    XCTAssertEqual(got, want, "\(c.name) \(what): not bit-exact")
                } else {
                    compare(got, want, rtol: 1e-5, atol: atol, "\(c.name) \(what)")
                }
                caseDeviation.add(got, want)
                if isState { stateDeviation.add(got, want) } else { paramDeviation.add(got, want) }
            }
            func checkState(_ expected: [String: [String: FixtureTensor]], _ when: String, late: Bool) {
                XCTAssertEqual(Set(expected.keys), ["0", "1", "2"], c.name)
                for (i, p) in params.enumerated() {
                    let actual = opt.state(for: p), want = expected["\(i)"] ?? [:]
                    XCTAssertEqual(Set(actual.keys), Set(want.keys), "\(c.name) state[\(i)] keys \(when)")
                    for (k, t) in want {
                        // RMSprop's momentum buffer accumulates g/avg where g = p·a − b nearly cancels:
                        // after 100 steps torch's own float32 buffer is 4e-6 away from a float64 run
                        // (testRMSpropMomentumBufferDeviationIsFloat32Noise), so it needs atol 1e-5.
                        let noisy = late && c.op == "RMSprop" && k == "momentum_buffer"
                        if let s = actual[k] { check(s, t, "state[\(i)].\(k) \(when)", isState: true, atol: noisy ? 1e-5 : 1e-6) }
                    }
                }
            }
            let recorded = Dictionary(uniqueKeysWithValues: c.trajectory.map { ($0.step, $0.params) })
            XCTAssertEqual(recorded.keys.sorted(), [1, 2, 3, 10, 50, 100])
            for step in 1...c.steps {
                setFixtureGradients(params, a, b)
                opt.step()
                if step == 1 {
                    for (i, p) in params.enumerated() { check(p, c.after_step_1.params[i], "params[\(i)] after step 1") }
                    checkState(c.after_step_1.state, "after step 1", late: false)
                }
                if let expected = recorded[step] {
                    for (i, p) in params.enumerated() { check(p, expected[i], "params[\(i)] after step \(step)") }
                }
            }
            for (i, p) in params.enumerated() {
                check(p, c.final_params[i], "final params[\(i)]")
                finalDeviation.add(p.toDoubleArray(), c.final_params[i].data.map { Double(Float($0)) })
            }
            checkState(c.final_state, "after step 100", late: true)
            if exact { XCTAssertEqual(caseDeviation.differing, 0, c.name) }
        }
        // Measured: after 100 steps the parameters deviate from PyTorch's by at most 1.9e-6 relative
        // (FIXTURES.md 7.4: a plain float32 implementation reaches 2.6e-6); 638 of the 672 elements are
        // bit-exact, as FIXTURES.md reports. Over all recorded steps and state the tolerances above hold.
        XCTAssertLessThan(finalDeviation.maxRelative, 2e-6, "largest relative deviation of the final parameters")
        XCTAssertLessThanOrEqual(finalDeviation.differing, 34, "final parameter elements that differ from PyTorch's")
        XCTAssertLessThan(Double(paramDeviation.differing) / Double(paramDeviation.total), 0.1)
        _ = stateDeviation
    }

    /// RMSprop with momentum: our float32 momentum buffer is as close to a float64 run as torch's.
    func testRMSpropMomentumBufferDeviationIsFloat32Noise() throws {
        let file = try OptimizerFixtureFile.load()
        for c in file.cases where c.op == "RMSprop" && c.hyperparameters["momentum"] != nil {
            let p64 = file.problem.initial_params.map { $0.tensor.to(.float64).requiringGrad() }
            let p32 = file.problem.initial_params.map { $0.tensor.requiringGrad() }
            let o64 = makeFixtureOptimizer(c, p64), o32 = makeFixtureOptimizer(c, p32)
            for _ in 0..<c.steps {
                for (i, p) in p64.enumerated() {
                    let v = zip(p.toDoubleArray(), zip(file.problem.a[i].data, file.problem.b[i].data)).map { $0 * $1.0 - $1.1 }
                    p.grad = Tensor(v, shape: p.shape, dtype: .float64)
                }
                o64.step()
                setFixtureGradients(p32, file.problem.a.map(\.floats), file.problem.b.map(\.floats))
                o32.step()
            }
            for i in 0..<3 {
                let exact = o64.state(for: p64[i])["momentum_buffer"]!.toDoubleArray()
                let ours = o32.state(for: p32[i])["momentum_buffer"]!.toDoubleArray()
                let torch = c.final_state["\(i)"]!["momentum_buffer"]!.data.map { Double(Float($0)) }
                let ourError = zip(ours, exact).map { Swift.abs($0 - $1) }.max()!
                let torchError = zip(torch, exact).map { Swift.abs($0 - $1) }.max()!
                XCTAssertLessThan(ourError, 5e-6, "\(c.name) state[\(i)]")
                XCTAssertLessThan(torchError, 5e-6, "\(c.name) state[\(i)]")
            }
        }
    }

    func testStateDictHasPyTorchLayout() throws {
        let file = try OptimizerFixtureFile.load()
        let a = file.problem.a.map(\.floats), b = file.problem.b.map(\.floats)
        for c in file.cases {
            let params = file.problem.initial_params.map { $0.tensor.requiringGrad() }
            let opt = makeFixtureOptimizer(c, params)
            for _ in 0..<c.steps { setFixtureGradients(params, a, b); opt.step() }
            let sd = opt.stateDict()
            let torch = c.state_dict
            XCTAssertEqual(sd.paramGroups.count, torch.param_groups.count, c.name)
            for (ours, theirs) in zip(sd.paramGroups, torch.param_groups) {
                // Every key PyTorch writes, except its implementation switches, with equal values.
                let implementation = Optimizer.torchImplementationKeys
                XCTAssertEqual(Set(ours.keys), Set(theirs.keys).subtracting(implementation), "\(c.name) group keys")
                for k in implementation where theirs[k] != nil {
                    XCTAssertTrue(theirs[k]!.isNull || theirs[k]!.bool == false, "\(c.name) \(k)")
                }
                for (k, v) in theirs where !implementation.contains(k) {
                    if k == "params" {
                        XCTAssertEqual(ours[k], .ints(v.ints!), "\(c.name) params")
                    } else {
                        XCTAssertEqual(ours[k], v.stateValue, "\(c.name) \(k)")
                    }
                }
            }
            XCTAssertEqual(Set(sd.state.keys), Set(torch.state.keys.compactMap { Int($0) }), c.name)
            for (i, entry) in torch.state {
                let ours = try XCTUnwrap(sd.state[Int(i)!], c.name)
                XCTAssertEqual(Set(ours.keys), Set(entry.keys), "\(c.name) state[\(i)] keys")
                for (k, t) in entry {
                    XCTAssertEqual(ours[k]?.shape, t.shape, "\(c.name) state[\(i)].\(k) shape")
                    XCTAssertEqual(ours[k]?.dtype.rawValue, t.dtype, "\(c.name) state[\(i)].\(k) dtype")
                    let atol = c.op == "RMSprop" && k == "momentum_buffer" ? 1e-5 : 1e-6  // see above
                    compare(ours[k]?.toDoubleArray() ?? [], t.data, rtol: 1e-5, atol: atol, "\(c.name) state[\(i)].\(k)")
                }
            }
            if let step = sd.state[0]?["step"] {
                XCTAssertEqual(step.shape, [])
                XCTAssertEqual(step.dtype, .float32)
                XCTAssertEqual(step.item(), 100)
            }
        }
    }
}

