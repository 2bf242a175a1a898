import XCTest
@testable import Ember

/// Activations and losses against values computed by PyTorch (Fixtures/activations.json, losses.json).
final class ReferenceTests: XCTestCase {
    func testActivationsMatchPyTorch() throws {
        let cases = try loadFixtures("activations")
        XCTAssertGreaterThanOrEqual(cases.count, 20)
        for c in cases {
            let p = c.params ?? [:]
            let tol = c.name.hasSuffix("_f64") ? (1e-10, 1e-12) : (1e-5, 1e-6)
            checkFixture(c, rtol: tol.0, atol: tol.1) { i in
                let x = i["x"]!
                switch c.op {
                case "relu": return x.relu()
                case "leaky_relu": return x.leakyRelu(negativeSlope: p["negative_slope"]!.double!)
                case "sigmoid": return x.sigmoid()
                case "tanh": return x.tanh()
                case "softplus": return x.softplus(beta: p["beta"]!.double!, threshold: p["threshold"]!.double!)
                case "elu": return x.elu(alpha: p["alpha"]!.double!)
                case "gelu": return x.gelu(approximate: p["approximate"]!.string! == "tanh")
                case "softmax": return x.softmax(dim: p["dim"]!.int!)
                case "log_softmax": return x.logSoftmax(dim: p["dim"]!.int!)
                default: XCTFail("unknown op \(c.op)"); return x
                }
            }
        }
    }

    func testLossesMatchPyTorch() throws {
        let cases = try loadFixtures("losses")
        XCTAssertGreaterThanOrEqual(cases.count, 20)
        for c in cases {
            let p = c.params ?? [:]
            let reduction = Reduction(rawValue: p["reduction"]!.string!)!
            let f64 = c.name.hasSuffix("_f64")
            let tol: (Double, Double) = f64 ? (1e-10, 1e-12) : (c.op == "binary_cross_entropy_with_logits" ? 5e-5 : 1e-5, 1e-6)
            checkFixture(c, rtol: tol.0, atol: tol.1) { i in
                let x = i["input"]!, y = i["target"]!
                switch c.op {
                case "mse_loss": return mseLoss(x, y, reduction: reduction)
                case "l1_loss": return l1Loss(x, y, reduction: reduction)
                case "binary_cross_entropy": return binaryCrossEntropy(x, y, weight: i["weight"], reduction: reduction)
                case "binary_cross_entropy_with_logits":
                    return binaryCrossEntropyWithLogits(x, y, weight: i["weight"], posWeight: i["pos_weight"], reduction: reduction)
                case "cross_entropy": return crossEntropy(x, y, weight: i["weight"], reduction: reduction)
                case "nll_loss": return nllLoss(x, y, weight: i["weight"], reduction: reduction)
                default: XCTFail("unknown op \(c.op)"); return x
                }
            }
        }
    }
}
