import Foundation
import XCTest
@testable import Ember

/// Model-level interoperability with Python's safetensors (Tests/Scripts/check_checkpoint_interop.py).
/// Runs when EMBER_INTEROP_DIR is set; `.ci/run` sets it after installing safetensors and numpy.
final class CheckpointInteropTests: XCTestCase {
    static let keys: [(String, [Int])] = [("0.weight", [8, 4]), ("0.bias", [8]), ("1.weight", [8]), ("1.bias", [8]),
                                          ("1.running_mean", [8]), ("1.running_var", [8]), ("1.num_batches_tracked", []),
                                          ("3.weight", [2, 8]), ("3.bias", [2])]

    func model() -> Sequential { Sequential { Linear(4, 8); BatchNorm1D(8); ReLU(); Linear(8, 2) } }

    /// The values the script expects: element i of the k-th tensor is (i + k)/16.
    func expectedStateDict() -> StateDict {
        var sd = StateDict()
        for (k, (key, shape)) in Self.keys.enumerated() {
            if key.hasSuffix("num_batches_tracked") { sd[key] = Tensor([5], shape: [], dtype: .int64); continue }
            let n = shape.reduce(1, *)
            sd[key] = Tensor((0..<n).map { Float($0 + k) / 16 }, shape: shape)
        }
        return sd
    }

    func testStateDictKeysMatchPyTorch() {
        XCTAssertEqual(model().stateDict().keys, Self.keys.map(\.0))
    }

    func testLiveRoundTripWithPython() throws {
        guard let dir = ProcessInfo.processInfo.environment["EMBER_INTEROP_DIR"], !dir.isEmpty else {
            throw XCTSkip("set EMBER_INTEROP_DIR (see Tests/Scripts/check_checkpoint_interop.py)")
        }
        let directory = URL(fileURLWithPath: dir)
        // Python → Ember: a file with plain PyTorch state-dict names loads into the same architecture.
        let fromPython = model()
        try fromPython.loadSafetensors(from: directory.appendingPathComponent("torch_style.safetensors"))
        for (key, t) in expectedStateDict() {
            XCTAssertEqual(fromPython.stateDict()[key]!.toDoubleArray(), t.toDoubleArray(), key)
        }
        // Ember → Python: a checkpoint with the model under the prefix "model".
        let m = model()
        try m.loadStateDict(expectedStateDict())
        try Checkpoint.save(to: directory.appendingPathComponent("ember_checkpoint.safetensors"),
                            objects: ["model": m, "rng": Generator(seed: 1)], counters: ["step": 3])
    }

    func testSaveAndLoadSafetensorsWithPrefix() throws {
        let a = model(), b = model()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("m-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try a.saveSafetensors(to: url, prefix: "generator")
        XCTAssertEqual(Set(try SafeTensorsFile.read(from: url).names), Set(Self.keys.map { "generator.\($0.0)" }))
        try b.loadSafetensors(from: url, prefix: "generator")
        XCTAssertEqual(a.stateDict()["3.weight"]!.toArray(), b.stateDict()["3.weight"]!.toArray())
        XCTAssertThrowsError(try b.loadSafetensors(from: url))  // without the prefix every key is unexpected
    }
}
