import Foundation
import XCTest
@testable import Ember

/// A small training run with everything that must survive a resume: shuffled data order,
/// dropout masks, Adam state, a learning-rate schedule and BatchNorm statistics.
private final class ResumeNet: Module {
    let fc1 = Linear(6, 16), bn = BatchNorm1D(16), drop = Dropout(0.3), fc2 = Linear(16, 3)
    override func forward(_ x: Tensor) -> Tensor { fc2(drop(bn(fc1(x)).relu())) }
}

private struct ResumeRun {
    let model: ResumeNet
    let optimizer: Adam
    let schedule: StepLR
    let loader: DataLoader
    let dataGenerator: Ember.Generator

    init() {
        manualSeed(1234)
        let data = Tensor.randn([40, 6], generator: Ember.Generator(seed: 1))
        let labels = Tensor.randint(high: 3, [40], generator: Ember.Generator(seed: 2))
        dataGenerator = Ember.Generator(seed: 3)
        loader = DataLoader(images: data, labels: labels, batchSize: 8, generator: dataGenerator)
        model = ResumeNet()
        optimizer = Adam(model.parameters(), lr: 1e-2)
        schedule = StepLR(optimizer, stepSize: 3, gamma: 0.5)
    }

    var objects: [String: Checkpointable] {
        ["model": model, "optimizer": optimizer, "schedule": schedule, "loader": loader,
         "data_rng": dataGenerator, "rng": Ember.Generator.default]
    }

    func train(steps: Int) {
        for _ in 0..<steps {
            let (x, y) = loader.nextBatch()
            optimizer.zeroGrad()
            crossEntropy(model(x), y).backward()
            optimizer.step()
            schedule.step()
        }
    }

    /// Every weight, buffer and optimizer state tensor, as raw bit patterns.
    func fingerprint() -> [String: [UInt64]] {
        var out: [String: [UInt64]] = [:]
        for (k, t) in model.stateDict() { out["model.\(k)"] = t.toDoubleArray().map(\.bitPattern) }
        for (i, entry) in optimizer.stateDict().state { for (k, t) in entry { out["opt.\(i).\(k)"] = t.toDoubleArray().map(\.bitPattern) } }
        out["lr"] = [optimizer.paramGroups[0].lr.bitPattern]
        return out
    }
}

final class ExactResumeTests: XCTestCase {
    static let n = 7  // crosses an epoch boundary (5 batches per epoch) and two schedule steps

    func testResumeInProcessIsBitIdentical() throws {
        let reference = ResumeRun()
        reference.train(steps: 2 * Self.n)

        let first = ResumeRun()
        first.train(steps: Self.n)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save(to: url, objects: first.objects, counters: ["step": Self.n])
        first.train(steps: 3)  // diverge the in-memory objects; the checkpoint must win

        manualSeed(999)
        let resumed = ResumeRun()
        let info = try Checkpoint.load(from: url, into: resumed.objects)
        XCTAssertEqual(info.counters["step"], Self.n)
        resumed.train(steps: Self.n)
        XCTAssertEqual(resumed.fingerprint(), reference.fingerprint())
    }

    func testResumeAcrossProcessesIsBitIdentical() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try runChild(phase: "first", dir: dir)
        try runChild(phase: "second", dir: dir)
        let reference = ResumeRun()
        reference.train(steps: 2 * Self.n)
        let final = ResumeRun()
        try Checkpoint.load(from: dir.appendingPathComponent("final.safetensors"), into: final.objects)
        XCTAssertEqual(final.fingerprint(), reference.fingerprint())
    }

    /// The child process's side: trains and saves according to EMBER_RESUME_PHASE.
    func testResumeChildPhase() throws {
        guard let phase = ProcessInfo.processInfo.environment["EMBER_RESUME_PHASE"],
              let dir = ProcessInfo.processInfo.environment["EMBER_RESUME_DIR"].map(URL.init(fileURLWithPath:)) else { return }
        let run = ResumeRun()
        if phase == "first" {
            run.train(steps: Self.n)
            try Checkpoint.save(to: dir.appendingPathComponent("half.safetensors"), objects: run.objects)
        } else {
            try Checkpoint.load(from: dir.appendingPathComponent("half.safetensors"), into: run.objects)
            run.train(steps: Self.n)
            try Checkpoint.save(to: dir.appendingPathComponent("final.safetensors"), objects: run.objects)
        }
    }

    private func runChild(phase: String, dir: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["EmberTests.ExactResumeTests/testResumeChildPhase"]
        var env = ProcessInfo.processInfo.environment
        env["EMBER_RESUME_PHASE"] = phase
        env["EMBER_RESUME_DIR"] = dir.path
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "child phase \(phase) failed")
    }

    func testOptimizerCheckpointRejectsMismatchAndChangesNothing() throws {
        let run = ResumeRun()
        run.train(steps: 2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("opt-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save(to: url, objects: ["optimizer": run.optimizer])
        let other = Adam(Linear(2, 2).parameters(), lr: 0.5)
        XCTAssertThrowsError(try Checkpoint.load(from: url, into: ["optimizer": other])) { error in
            XCTAssertTrue("\(error)".contains("nothing was changed"), "\(error)")
        }
        XCTAssertEqual(other.paramGroups[0].lr, 0.5)
        XCTAssertTrue(other.stateDict().state.isEmpty)
    }
}
