import Foundation
import XCTest
@testable import Ember

/// Optimizer state dicts: layout, resuming bit for bit, deep copies, and validated loading.
final class OptimizerStateDictTests: XCTestCase {
    func copies(_ params: [Tensor]) -> [Tensor] { params.map { $0.detach().contiguousCopy().requiringGrad() } }

    func bits(_ t: Tensor) -> [UInt32] { t.contiguousArray(Float.self).map(\.bitPattern) }

    /// Every fixture configuration: N steps, save, new optimizer on copies, load, continue:
    /// parameters and state are bit-identical to an uninterrupted run.
    func testResumingFromStateDictIsBitIdentical() throws {
        let file = try OptimizerFixtureFile.load()
        let a = file.problem.a.map(\.floats), b = file.problem.b.map(\.floats)
        for c in file.cases {
            let params = file.problem.initial_params.map { $0.tensor.requiringGrad() }
            let opt = makeFixtureOptimizer(c, params)
            for _ in 0..<7 { setFixtureGradients(params, a, b); opt.step() }
            let saved = opt.stateDict()

            let resumedParams = copies(params)
            let resumed = makeFixtureOptimizer(c, resumedParams)
            if c.op == "SGD" || c.op == "Adam" {  // change a hyper-parameter: loading must restore it
                resumed.paramGroups[0].lr = 123
            }
            try resumed.loadStateDict(saved)
            XCTAssertEqual(resumed.paramGroups.map(\.options), opt.paramGroups.map(\.options), c.name)
            for _ in 0..<20 {
                setFixtureGradients(params, a, b); opt.step()
                setFixtureGradients(resumedParams, a, b); resumed.step()
            }
            for (p, q) in zip(params, resumedParams) {
                XCTAssertEqual(bits(p), bits(q), "\(c.name) params")
                let s = opt.state(for: p), t = resumed.state(for: q)
                XCTAssertEqual(Set(s.keys), Set(t.keys), c.name)
                for (k, v) in s { XCTAssertEqual(bits(v), bits(t[k]!), "\(c.name) \(k)") }
            }
        }
    }

    func testStateDictIsASnapshotAndLoadingCopies() throws {
        let p = Tensor([1, 2], requiresGrad: true)
        let opt = Adam([p], lr: 0.1)
        p.grad = Tensor([1, -1])
        opt.step()
        let sd = opt.stateDict()
        let before = sd.state[0]!["exp_avg"]!.toArray()
        opt.step()
        XCTAssertEqual(sd.state[0]!["exp_avg"]!.toArray(), before, "later steps do not change a taken state dict")
        XCTAssertEqual(sd.state[0]!["step"]!.item(), 1)

        let q = Tensor([1, 2], requiresGrad: true)
        let other = Adam([q], lr: 0.1)
        try other.loadStateDict(sd)
        XCTAssertFalse(other.state(for: q)["exp_avg"]! === sd.state[0]!["exp_avg"]!)
        withNoGrad { sd.state[0]!["exp_avg"]!.fill(42) }
        XCTAssertEqual(other.state(for: q)["exp_avg"]!.toArray(), before, "loaded state does not alias the dict")
    }

    func testLayoutBeforeAnyStepAndAcrossGroups() {
        let a = Tensor([1], requiresGrad: true), b = Tensor([1, 2], requiresGrad: true), c = Tensor([3], requiresGrad: true)
        let sgd = SGD([ParameterGroup([a, b]), ParameterGroup([c], lr: 0.01)], lr: 0.1, momentum: 0.9)
        var sd = sgd.stateDict()
        XCTAssertTrue(sd.state.isEmpty, "no state before the first step, as in PyTorch")
        XCTAssertEqual(sd.paramGroups.map { $0["params"] }, [.ints([0, 1]), .ints([2])])
        XCTAssertEqual(sd.paramGroups[1]["lr"], 0.01)
        c.grad = Tensor([1])
        sgd.step()
        sd = sgd.stateDict()
        XCTAssertEqual(Array(sd.state.keys), [2], "indices count across groups")
        XCTAssertEqual(sd.state[2]!["momentum_buffer"]!.toArray(), [1])

        let adagrad = Adagrad([a], initialAccumulatorValue: 0.25)
        let ad = adagrad.stateDict()
        XCTAssertEqual(ad.state[0]!["sum"]!.toArray(), [0.25], "Adagrad's state exists from construction")
        XCTAssertEqual(ad.state[0]!["step"]!.item(), 0)
        XCTAssertEqual(ad.paramGroups[0]["eps"], 1e-10)
    }

    func testHyperParametersRoundTripThroughJSON() throws {
        let p = Tensor([1], requiresGrad: true)
        let opt = Adam([ParameterGroup([p], options: ["betas": [0.5, 0.999]])], lr: 2e-4, weightDecay: 0)
        let groups = opt.stateDict().paramGroups
        let json = try JSONEncoder().encode(groups)
        let text = String(decoding: json, as: UTF8.self)
        XCTAssertTrue(text.contains("\"betas\":[0.5,0.999]"), text)
        XCTAssertTrue(text.contains("\"amsgrad\":false"), text)
        XCTAssertTrue(text.contains("\"params\":[0]"), text)
        let decoded = try JSONDecoder().decode([[String: StateValue]].self, from: json)
        XCTAssertEqual(decoded, groups)

        // A PyTorch param_groups entry, as json.dumps writes it (None became null and is dropped
        // by the converter; implementation switches are false).
        let torch = """
        {"lr": 0.001, "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0, "amsgrad": false,
         "maximize": false, "capturable": false, "differentiable": false,
         "decoupled_weight_decay": false, "params": [0]}
        """
        let group = try JSONDecoder().decode([String: StateValue].self, from: Data(torch.utf8))
        XCTAssertEqual(group["weight_decay"], .int(0))
        XCTAssertEqual(group["params"], .ints([0]))
        try opt.loadStateDict(OptimizerStateDict(state: [:], paramGroups: [group]))
        XCTAssertEqual(opt.paramGroups[0]["weight_decay"], .double(0))
        XCTAssertEqual(opt.paramGroups[0].lr, 0.001)
        XCTAssertNil(opt.paramGroups[0]["capturable"], "PyTorch's implementation switches are dropped")
    }

    func testStepSavedWithShapeOneIsAccepted() throws {
        let p = Tensor([1, 2], requiresGrad: true)
        let opt = RMSprop([p])
        let sd = OptimizerStateDict(state: [0: ["step": Tensor([5], shape: [1]), "square_avg": Tensor([1, 1])]],
                                    paramGroups: opt.stateDict().paramGroups)
        try opt.loadStateDict(sd)
        XCTAssertEqual(opt.state(for: p)["step"]!.shape, [])
        p.grad = Tensor([1, 1])
        opt.step()
        XCTAssertEqual(opt.state(for: p)["step"]!.item(), 6)
    }

    func testLoadReportsEveryProblemAndChangesNothing() {
        let w = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true), b = Tensor([0, 0], requiresGrad: true)
        let opt = Adam([w, b], lr: 0.1)
        w.grad = Tensor([1, 1, 1, 1], shape: [2, 2]); b.grad = Tensor([1, 1])
        opt.step()
        let good = opt.stateDict()
        let before = (w.toArray(), opt.state(for: w)["exp_avg"]!.toArray(), opt.paramGroups.map(\.options))

        var bad = good
        bad.paramGroups[0]["betas"] = [0.9, 1.5]                 // out of range
        bad.paramGroups[0]["eps"] = "tiny"                       // wrong type
        bad.paramGroups[0]["nesterov"] = true                    // not an Adam key
        bad.paramGroups[0]["foreach"] = true                     // an implementation Ember lacks
        bad.state[0]!["exp_avg"] = Tensor.zeros([4])             // wrong shape
        bad.state[1]!["exp_avg_sq"] = Tensor.zeros([2], dtype: .float64)  // wrong dtype
        bad.state[1]!["max_exp_avg_sq"] = Tensor.zeros([2])      // not without amsgrad
        bad.state[0]!["step"] = Tensor(1.0, dtype: .float64)     // step must be float32
        bad.state[0]!["exp_avg_sq"] = nil                        // missing
        bad.state[7] = ["step": Tensor(1.0)]                     // no such parameter
        XCTAssertThrowsError(try opt.loadStateDict(bad)) { error in
            guard let e = error as? StateDictLoadError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.owner, "Adam")
            let expected: [StateDictLoadError.Problem] = [
                .invalidValue(context: "param_groups[0]", key: "eps", reason: "expected a number, got 'tiny'"),
                .unknownKey(context: "param_groups[0]", key: "nesterov"),
                .invalidValue(context: "param_groups[0]", key: "foreach",
                              reason: "PyTorch's foreach=True has no Ember counterpart; only False is accepted"),
                .invalidValue(context: "param_groups[0]", key: "betas", reason: "Invalid beta parameter at index 1: 1.5"),
                .stateShape(index: 0, key: "exp_avg", expected: [2, 2], found: [4]),
                .stateDType(index: 0, key: "step", expected: .float32, found: .float64),
                .missingKey(context: "state[0]", key: "exp_avg_sq"),
                .unknownKey(context: "state[1]", key: "max_exp_avg_sq"),
                .stateDType(index: 1, key: "exp_avg_sq", expected: .float32, found: .float64),
                .unknownParameterIndex(7),
            ]
            for problem in expected { XCTAssertTrue(e.problems.contains(problem), "missing \(problem) in\n\(e)") }
            XCTAssertEqual(e.problems.count, expected.count, e.description)
            XCTAssertTrue(e.description.hasPrefix("Error(s) in loading state_dict for Adam:"))
        }
        var badRange = good
        badRange.paramGroups[0]["betas"] = [0.9, 1.5]
        XCTAssertThrowsError(try opt.loadStateDict(badRange)) { error in
            XCTAssertEqual((error as? StateDictLoadError)?.problems,
                           [.invalidValue(context: "param_groups[0]", key: "betas", reason: "Invalid beta parameter at index 1: 1.5")])
        }
        XCTAssertEqual(w.toArray(), before.0)
        XCTAssertEqual(opt.state(for: w)["exp_avg"]!.toArray(), before.1)
        XCTAssertEqual(opt.paramGroups.map(\.options), before.2)
        XCTAssertNoThrow(try opt.loadStateDict(good))
    }

    func testGroupCountAndSizesAreChecked() {
        let a = Tensor([1], requiresGrad: true), b = Tensor([2], requiresGrad: true)
        let opt = SGD([ParameterGroup([a]), ParameterGroup([b])], lr: 0.1)
        var sd = opt.stateDict()
        sd.paramGroups.removeLast()
        XCTAssertThrowsError(try opt.loadStateDict(sd)) { error in
            XCTAssertEqual((error as? StateDictLoadError)?.problems, [.groupCount(expected: 2, found: 1)])
        }
        sd = opt.stateDict()
        sd.paramGroups[0]["params"] = .ints([0, 5])
        sd.paramGroups[1]["params"] = nil
        XCTAssertThrowsError(try opt.loadStateDict(sd)) { error in
            XCTAssertEqual((error as? StateDictLoadError)?.problems, [
                .groupSize(group: 0, expected: 1, found: 2), .missingKey(context: "param_groups[1]", key: "params"),
            ])
        }
        sd = opt.stateDict()
        sd.paramGroups[1]["params"] = .ints([0])
        XCTAssertThrowsError(try opt.loadStateDict(sd)) { error in
            XCTAssertEqual((error as? StateDictLoadError)?.problems, [.duplicateParameterIndex(0)])
        }
    }
}
