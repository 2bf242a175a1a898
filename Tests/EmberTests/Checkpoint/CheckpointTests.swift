import Foundation
import XCTest
@testable import Ember

private final class Net: Module {
    let fc1 = Linear(3, 4)
    let fc2 = Linear(4, 2)
    @Buffer var counter = Tensor.zeros([1], dtype: .int64)
    override func forward(_ x: Tensor) -> Tensor { fc2(fc1(x).tanh()) }
}

final class CheckpointTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ember-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func testModuleAndGeneratorRoundTrip() throws {
        let a = Net(), b = Net()
        let g = Generator(seed: 5)
        _ = Tensor.randn([3], generator: g)
        let url = dir.appendingPathComponent("c.safetensors")
        try Checkpoint.save(to: url, objects: ["model": a, "rng": g], counters: ["step": 42], metadata: ["note": "hello"])
        let expectedNext = Tensor.randn([5], generator: g).toArray()

        let g2 = Generator(seed: 1)
        let info = try Checkpoint.load(from: url, into: ["model": b, "rng": g2])
        XCTAssertEqual(info.counters, ["step": 42])
        XCTAssertEqual(info.metadata, ["note": "hello"])
        XCTAssertEqual(a.fc1.weight.toArray(), b.fc1.weight.toArray())
        XCTAssertEqual(a.fc2.bias!.toArray(), b.fc2.bias!.toArray())
        XCTAssertEqual(Tensor.randn([5], generator: g2).toArray(), expectedNext)

        // PyTorch names under the object's prefix, readable with plain safetensors
        let archive = try SafeTensorsFile.read(from: url)
        XCTAssertTrue(archive.contains("model.fc1.weight"))
        XCTAssertEqual(archive["model.fc1.weight"]?.shape, [4, 3])
        XCTAssertEqual(archive["model.counter"]?.dtype, .i64)
    }

    func testIncompatibleCheckpointChangesNothing() throws {
        let a = Net()
        let url = dir.appendingPathComponent("c.safetensors")
        try Checkpoint.save(to: url, objects: ["model": a])
        final class Other: Module { let fc1 = Linear(3, 5); let extra = Linear(1, 1) }
        let other = Other()
        let g = Generator(seed: 9)
        let before = other.fc1.weight.toArray(), stateBefore = g.state
        XCTAssertThrowsError(try Checkpoint.load(from: url, into: ["model": other, "rng": g])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("nothing was changed"), text)
            XCTAssertTrue(text.contains("no object \"rng\""), text)
            XCTAssertTrue(text.contains("size mismatch for fc1.weight"), text)
            XCTAssertTrue(text.contains("Missing key(s) in state_dict: \"extra.weight\", \"extra.bias\""), text)
            XCTAssertTrue(text.contains("Unexpected key(s) in state_dict:"), text)
            for key in ["\"fc2.weight\"", "\"fc2.bias\"", "\"counter\""] { XCTAssertTrue(text.contains(key), text) }
        }
        XCTAssertEqual(other.fc1.weight.toArray(), before)
        XCTAssertEqual(g.state, stateBefore)
    }

    func testCorruptFileGivesTypedError() throws {
        let url = dir.appendingPathComponent("bad.safetensors")
        try Data([1, 2, 3]).write(to: url)
        XCTAssertThrowsError(try Checkpoint.load(from: url, into: ["model": Net()])) { error in
            guard case CheckpointError.file = error else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains(url.path))
        }
        XCTAssertThrowsError(try Checkpoint.load(from: dir.appendingPathComponent("missing.safetensors"), into: ["model": Net()]))
    }

    func testRotationKeepsNewest() throws {
        let m = Net()
        for step in [10, 20, 30, 40] {
            try Checkpoint.save(inDirectory: dir, step: step, keepLast: 2, objects: ["model": m])
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(names, ["ckpt-30.safetensors", "ckpt-40.safetensors"])
        XCTAssertEqual(Checkpoint.latest(inDirectory: dir)?.lastPathComponent, "ckpt-40.safetensors")
        let info = try Checkpoint.load(from: Checkpoint.latest(inDirectory: dir)!, into: ["model": Net()])
        XCTAssertEqual(info.counters["step"], 40)
    }
}
