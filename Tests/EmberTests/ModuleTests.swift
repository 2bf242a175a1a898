import XCTest
@testable import Ember

private final class TwoLayer: Module {
    let fc1 = Linear(4, 3)
    let fc2 = Linear(3, 2, bias: false)
    @Buffer var scale = Tensor.ones([2])
    @Buffer(persistent: false) var scratch = Tensor.zeros([1])
    override func forward(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) * scale }
}

private final class Nested: Module {
    let encoder = TwoLayer()
    let head = Sequential { Linear(2, 2); ReLU(); Linear(2, 1) }
    let extra: Linear? = Linear(1, 1)
    let missing: Linear? = nil
    let blocks: [Module] = [Linear(1, 1), Dropout(0.1)]
    override func forward(_ x: Tensor) -> Tensor { extra!(head(encoder(x))) }
}

final class ModuleTests: XCTestCase {
    func testNamesFollowPyTorch() {
        let m = Nested()
        XCTAssertEqual(m.namedParameters().map(\.0), [
            "encoder.fc1.weight", "encoder.fc1.bias", "encoder.fc2.weight",
            "head.0.weight", "head.0.bias", "head.2.weight", "head.2.bias",
            "extra.weight", "extra.bias", "blocks.0.weight", "blocks.0.bias",
        ])
        XCTAssertEqual(m.namedBuffers().map(\.0), ["encoder.scale"])
        XCTAssertEqual(m.stateDict().keys.count, 12)
        // PyTorch order: each module saves its own parameters and buffers before its children
        XCTAssertEqual(m.stateDict().keys.first, "encoder.scale")
        XCTAssertEqual(m.stateDict().keys.last, "blocks.0.bias")
        XCTAssertEqual(m.children().count, 5)
        XCTAssertEqual(m.modules().count, 11)  // self, encoder(+2), head(+3), extra, blocks 0 and 1
        XCTAssertEqual(m.parameters().count, 11)
        XCTAssertEqual(m(Tensor.ones([5, 4])).shape, [5, 1])
    }

    func testTrainEvalPropagates() {
        let m = Nested()
        XCTAssertTrue(m.head[1].isTraining)
        m.eval()
        XCTAssertFalse(m.isTraining)
        XCTAssertFalse(m.head[1].isTraining)
        XCTAssertFalse((m.blocks[1] as! Dropout).isTraining)
        m.train()
        XCTAssertTrue(m.encoder.fc1.isTraining)
    }

    func testDropoutLayerFollowsMode() {
        let d = Dropout(0.5, generator: Generator(seed: 1))
        let x = Tensor.ones([1000])
        let y = d(x).toArray()
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertEqual(Double(y.filter { $0 == 0 }.count), 500, accuracy: 60)
        d.eval()
        XCTAssertEqual(d(x).toArray(), x.toArray())
    }

    func testFreezeAndZeroGrad() {
        let m = TwoLayer()
        m.fc1.freeze()
        XCTAssertEqual(m.trainableParameters().count, 1)
        let loss = m(Tensor.ones([2, 4])).sum()
        loss.backward()
        XCTAssertNil(m.fc1.weight.grad)
        XCTAssertNotNil(m.fc2.weight.grad)
        m.zeroGrad(setToNone: false)
        XCTAssertEqual(m.fc2.weight.grad!.toArray(), [Float](repeating: 0, count: 6))
        m.zeroGrad()
        XCTAssertNil(m.fc2.weight.grad)
        m.unfreeze()
        XCTAssertEqual(m.trainableParameters().count, 3)
    }

    func testStateDictRoundTripAndSharing() throws {
        let a = TwoLayer(), b = TwoLayer()
        let sd = a.stateDict()
        XCTAssertTrue(sd["fc1.weight"]!.storage === a.fc1.weight.storage)  // no copy
        XCTAssertNotEqual(a.fc1.weight.toArray(), b.fc1.weight.toArray())
        let result = try b.loadStateDict(sd)
        XCTAssertEqual(result, LoadStateDictResult(missingKeys: [], unexpectedKeys: []))
        XCTAssertEqual(a.fc1.weight.toArray(), b.fc1.weight.toArray())
        XCTAssertFalse(a.fc1.weight.storage === b.fc1.weight.storage)
        XCTAssertTrue(b.fc1.weight.requiresGrad)
    }

    func testStrictLoadReportsEverythingAndChangesNothing() {
        let m = TwoLayer()
        let before = m.stateDict().map { ($0.0, $0.1.toArray()) }
        var sd = TwoLayer().stateDict()
        sd["fc1.bias"] = nil
        sd["fc9.weight"] = Tensor.zeros([1])
        sd["fc2.weight"] = Tensor.zeros([3, 3])
        XCTAssertThrowsError(try m.loadStateDict(sd)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("Error(s) in loading state_dict for TwoLayer"), text)
            XCTAssertTrue(text.contains("Missing key(s) in state_dict: \"fc1.bias\"."), text)
            XCTAssertTrue(text.contains("Unexpected key(s) in state_dict: \"fc9.weight\"."), text)
            XCTAssertTrue(text.contains("size mismatch for fc2.weight: copying a param with shape [3, 3] from checkpoint, the shape in current model is [2, 3]."), text)
            let e = error as! StateDictError
            XCTAssertEqual(e.missingKeys, ["fc1.bias"])
            XCTAssertEqual(e.unexpectedKeys, ["fc9.weight"])
        }
        let after = m.stateDict().map { ($0.0, $0.1.toArray()) }
        XCTAssertEqual(before.map(\.0), after.map(\.0))
        XCTAssertEqual(before.map(\.1), after.map(\.1))  // nothing was half-loaded
    }

    func testNonStrictLoadReturnsSkippedKeys() throws {
        let m = TwoLayer()
        let source = TwoLayer()
        var sd = source.stateDict()
        sd["fc1.bias"] = nil
        sd["other"] = Tensor.zeros([1])
        let r = try m.loadStateDict(sd, strict: false)
        XCTAssertEqual(r.missingKeys, ["fc1.bias"])
        XCTAssertEqual(r.unexpectedKeys, ["other"])
        XCTAssertEqual(m.fc1.weight.toArray(), source.fc1.weight.toArray())
    }

    func testLinearDefaultInitBounds() {
        let l = Linear(784, 1024)
        let bound = Float(1 / 784.0.squareRoot())
        XCTAssertLessThanOrEqual(l.weight.abs().max().item(), bound)
        XCTAssertGreaterThan(l.weight.abs().max().item(), bound * 0.999)
        // U(-b, b) has standard deviation b/√3
        XCTAssertEqual(l.weight.std().item(), bound / Float(3).squareRoot(), accuracy: bound * 0.01)
        XCTAssertEqual(l.weight.mean().item(), 0, accuracy: bound * 0.01)
        XCTAssertLessThanOrEqual(l.bias!.abs().max().item(), bound)
    }

    func testInitFunctions() {
        let w = Tensor.zeros([256, 512])
        Init.normal(w, mean: 0, std: 0.02, generator: Generator(seed: 1))
        XCTAssertEqual(w.std().item(), 0.02, accuracy: 0.0005)
        Init.xavierUniform(w)
        let a = Float((6.0 / 768).squareRoot())
        XCTAssertLessThanOrEqual(w.abs().max().item(), a)
        XCTAssertEqual(w.std().item(), a / Float(3).squareRoot(), accuracy: a * 0.01)
        Init.xavierNormal(w)
        XCTAssertEqual(w.std().item(), Float((2.0 / 768).squareRoot()), accuracy: 0.0005)
        Init.kaimingNormal(w, nonlinearity: .relu)
        XCTAssertEqual(w.std().item(), Float((2.0 / 512).squareRoot()), accuracy: 0.001)
        Init.kaimingUniform(w, a: 5.0.squareRoot())
        XCTAssertLessThanOrEqual(w.abs().max().item(), Float(1 / 512.0.squareRoot()))
        Init.constant(w, 3)
        XCTAssertEqual(w.mean().item(), 3)
        XCTAssertEqual(Init.gain(for: .tanh), 5.0 / 3)
        XCTAssertEqual(Init.fans(Tensor.zeros([64, 32, 5, 5])).fanIn, 800)
    }

    func testSummaryOfMLP() {
        let d = Sequential { Flatten(); Linear(784, 512); LeakyReLU(0.2); Linear(512, 256); LeakyReLU(0.2); Linear(256, 1); Sigmoid() }
        XCTAssertEqual(d.parameterCounts(), ParameterCounts(total: 533_505, trainable: 533_505, nonTrainable: 0))
        let text = d.summary(inputShape: [28, 28, 1])
        XCTAssertTrue(text.contains("Total params: 533,505"), text)
        XCTAssertTrue(text.contains("[-1, 512]"), text)
        XCTAssertTrue(text.contains("401,920"), text)
        d.freeze()
        XCTAssertEqual(d.parameterCounts().nonTrainable, 533_505)
    }
}
