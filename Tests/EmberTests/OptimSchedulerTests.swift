import Foundation
import XCTest
@testable import Ember

/// Learning-rate schedulers against Fixtures/schedulers.json (FIXTURES.md section 8) and their
/// state dicts.
final class OptimSchedulerTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let op: String
        let params: [String: FixtureValue]
        let base_lr: Double
        let lr_after_construction: Double
        let lrs: [Double]
        let state_dict: [String: FixtureValue]
    }

    func makeScheduler(_ c: Case, _ opt: Optimizer) -> LRScheduler {
        let p = c.params
        switch c.op {
        case "StepLR": return StepLR(opt, stepSize: p["step_size"]!.int!, gamma: p["gamma"]!.double!)
        case "MultiStepLR": return MultiStepLR(opt, milestones: p["milestones"]!.ints!, gamma: p["gamma"]!.double!)
        case "ExponentialLR": return ExponentialLR(opt, gamma: p["gamma"]!.double!)
        case "CosineAnnealingLR": return CosineAnnealingLR(opt, tMax: p["T_max"]!.int!, etaMin: p["eta_min"]!.double!)
        case "LambdaLR": return LambdaLR(opt) { e in Foundation.pow(0.95, Double(e)) }  // lambda e: 0.95 ** e
        case "LinearLR":
            return LinearLR(opt, startFactor: p["start_factor"]!.double!, endFactor: p["end_factor"]!.double!,
                            totalIters: p["total_iters"]!.int!)
        default: fatalError("unknown scheduler \(c.op)")
        }
    }

    func makeOptimizer() -> SGD { SGD([Tensor.zeros([2], requiresGrad: true)], lr: 0.1) }

    func testSchedulersMatchPyTorch() throws {
        let cases = try loadFixtures("schedulers", as: Case.self)
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let opt = makeOptimizer()
            let sched = makeScheduler(c, opt)
            XCTAssertEqual(sched.baseLRs, [c.base_lr], c.name)
            XCTAssertEqual(sched.lastEpoch, 0, c.name)
            // The recursive formulas give PyTorch's values bit for bit (FIXTURES.md allows 1e-12).
            XCTAssertEqual(opt.paramGroups[0].lr, c.lr_after_construction, c.name)
            XCTAssertEqual(sched.lastLR, [c.lr_after_construction], c.name)
            for (k, expected) in c.lrs.enumerated() {
                opt.step()
                sched.step()
                XCTAssertEqual(opt.paramGroups[0].lr, expected, "\(c.name) after step \(k + 1)")
                XCTAssertEqual(sched.lastLR, [expected], "\(c.name) lastLR after step \(k + 1)")
            }
            XCTAssertEqual(sched.lastEpoch, 12)
            XCTAssertEqual(opt.paramGroups[0]["initial_lr"], .double(0.1), c.name)

            // State dict: PyTorch's keys and values, except its private flags and the forms noted.
            let ours = sched.stateDict()
            let skipped: Set<String> = ["_is_initial", "_get_lr_called_within_step", "lr_lambdas"]
            XCTAssertEqual(Set(ours.keys), Set(c.state_dict.keys).subtracting(skipped), c.name)
            for (key, value) in c.state_dict where !skipped.contains(key) {
                if key == "milestones" {  // a Counter in PyTorch: {"2": 1, "5": 1}
                    guard case .object(let counter) = value else { XCTFail("milestones"); continue }
                    let expanded = counter.flatMap { k, n in Array(repeating: Int(k)!, count: n.int!) }.sorted()
                    XCTAssertEqual(ours[key], .ints(expanded), c.name)
                } else {
                    XCTAssertEqual(ours[key], value.stateValue, "\(c.name) \(key)")
                }
            }
        }
    }

    func testCosineAnnealingRecursiveMatchesClosedForm() {
        let opt = makeOptimizer()
        let sched = CosineAnnealingLR(opt, tMax: 10, etaMin: 0.001)
        for e in 1...40 {
            sched.step()
            let closed = 0.001 + (0.1 - 0.001) * (1 + cos(Double.pi * Double(e) / 10)) / 2
            XCTAssertEqual(opt.paramGroups[0].lr, closed, accuracy: 1e-12 * 0.1, "epoch \(e)")
        }
    }

    func testSchedulerActsOnEveryGroupAndChains() {
        let a = Tensor.zeros([2], requiresGrad: true), b = Tensor.zeros([3], requiresGrad: true)
        let opt = SGD([ParameterGroup([a]), ParameterGroup([b], lr: 1.0)], lr: 0.1)
        let warmup = LinearLR(opt, startFactor: 0.5, totalIters: 2)
        XCTAssertEqual(opt.paramGroups.map(\.lr), [0.05, 0.5])
        let decay = ExponentialLR(opt, gamma: 0.5)  // second scheduler: base_lrs from initial_lr
        XCTAssertEqual(decay.baseLRs, [0.1, 1.0])
        warmup.step(); decay.step()  // warm-up to 0.75·lr then ·0.5
        XCTAssertEqual(opt.paramGroups.map(\.lr), [0.1 * 0.5 * 1.5 * 0.5, 1.0 * 0.5 * 1.5 * 0.5], "chained")
        let lambda = LambdaLR(opt, lrLambdas: [{ _ in 1 }, { e in Double(e + 1) }])
        XCTAssertEqual(opt.paramGroups.map(\.lr), [0.1, 1.0])
        lambda.step()
        XCTAssertEqual(opt.paramGroups.map(\.lr), [0.1, 2.0])
    }

    func testStateDictRoundTripContinuesIdentically() throws {
        let cases = try loadFixtures("schedulers", as: Case.self)
        for c in cases {
            let opt = makeOptimizer(), sched = makeScheduler(c, opt)
            for _ in 0..<5 { sched.step() }
            let saved = sched.stateDict(), savedOpt = opt.stateDict()
            // JSON round trip of the scheduler state, as a checkpoint's metadata would carry it.
            let json = try JSONEncoder().encode(saved)
            let decoded = try JSONDecoder().decode(LRSchedulerStateDict.self, from: json)
            XCTAssertEqual(decoded, saved, c.name)

            let opt2 = makeOptimizer(), sched2 = makeScheduler(c, opt2)
            try opt2.loadStateDict(savedOpt)
            try sched2.loadStateDict(decoded)
            XCTAssertEqual(sched2.lastEpoch, 5)
            XCTAssertEqual(sched2.stateDict(), saved, c.name)
            for _ in 0..<7 { sched.step(); sched2.step() }
            XCTAssertEqual(opt2.paramGroups[0].lr, opt.paramGroups[0].lr, c.name)
            XCTAssertEqual(opt2.paramGroups[0].lr, c.lrs[11], c.name)
        }
    }

    func testLoadStateDictReportsAllProblemsAndChangesNothing() {
        let opt = makeOptimizer()
        let sched = StepLR(opt, stepSize: 3, gamma: 0.5)
        sched.step()
        let before = sched.stateDict()
        var bad = before
        bad["gamma"] = .string("half")
        bad["base_lrs"] = .doubles([0.1, 0.2])
        bad["last_epoch"] = nil
        bad["bogus"] = .int(1)
        bad["_is_initial"] = .bool(false)  // PyTorch's private flag: accepted
        XCTAssertThrowsError(try sched.loadStateDict(bad)) { error in
            guard let e = error as? StateDictLoadError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.owner, "StepLR")
            XCTAssertEqual(e.problems.count, 4, e.description)
            XCTAssertTrue(e.problems.contains(.missingKey(context: "", key: "last_epoch")))
            XCTAssertTrue(e.problems.contains(.unknownKey(context: "", key: "bogus")))
            XCTAssertTrue(e.description.contains("Error(s) in loading state_dict for StepLR"))
            XCTAssertTrue(e.description.contains("base_lrs"))
            XCTAssertTrue(e.description.contains("gamma"))
        }
        XCTAssertEqual(sched.stateDict(), before)
        var badSize = before
        badSize["step_size"] = .int(0)
        XCTAssertThrowsError(try sched.loadStateDict(badSize))
        XCTAssertEqual(sched.stepSize, 3)
    }
}
