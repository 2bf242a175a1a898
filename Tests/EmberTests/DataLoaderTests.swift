import Foundation
import XCTest
@testable import Ember

final class DataLoaderTests: XCTestCase {
    func testEmbeddedMNIST() throws {
        let data = try MNISTDataset.embedded()
        XCTAssertEqual(data.images.shape, [10_000, 1, 28, 28])
        XCTAssertEqual(data.labels.shape, [10_000])
        XCTAssertEqual(Array(data.labels.toIntArray().prefix(5)), [7, 2, 1, 0, 4])
        XCTAssertEqual(data.images.min().item(), 0)
        XCTAssertEqual(data.images.max().item(), 1)
        let n = data.normalized(mean: 0.5, std: 0.5)
        XCTAssertEqual(n.images.min().item(), -1)
        XCTAssertEqual(n.images.max().item(), 1)
        XCTAssertEqual(data.flattened().images.shape, [10_000, 784])
    }

    func testBatchesShapesDropLastAndEpochs() {
        let images = Tensor.arange(0, 10).reshape([10, 1])
        let labels = Tensor(Array(0..<10), shape: [10], dtype: .int64)
        let loader = DataLoader(images: images, labels: labels, batchSize: 4, shuffle: false)
        XCTAssertEqual(loader.batchesPerEpoch, 2)
        let batches = Array(loader)
        XCTAssertEqual(batches.count, 2)
        XCTAssertEqual(batches[1].0.toArray(), [4, 5, 6, 7])
        XCTAssertEqual(batches[1].1.toIntArray(), [4, 5, 6, 7])
        XCTAssertEqual(Array(loader).count, 2)
        XCTAssertEqual(loader.epoch, 1)
        let keepLast = DataLoader(images: images, labels: labels, batchSize: 4, shuffle: false, dropLast: false)
        XCTAssertEqual(Array(keepLast).map { $0.0.shape[0] }, [4, 4, 2])
    }

    func testShuffleIsSeededAndCoversEveryExample() {
        let images = Tensor.arange(0, 100).reshape([100, 1])
        let labels = Tensor(Array(0..<100), shape: [100], dtype: .int64)
        let a = DataLoader(images: images, labels: labels, batchSize: 10, generator: Generator(seed: 3))
        let b = DataLoader(images: images, labels: labels, batchSize: 10, generator: Generator(seed: 3))
        let epochA = Array(a).flatMap { $0.1.toIntArray() }
        XCTAssertEqual(epochA, Array(b).flatMap { $0.1.toIntArray() })
        XCTAssertEqual(epochA.sorted(), Array(0..<100))
        XCTAssertNotEqual(epochA, Array(0..<100))
        let epoch2 = Array(a).flatMap { $0.1.toIntArray() }
        XCTAssertNotEqual(epoch2, epochA)  // a new order each epoch
    }

    func testLoaderResumesExactlyFromCheckpoint() throws {
        let images = Tensor.arange(0, 50).reshape([50, 1])
        let labels = Tensor(Array(0..<50), shape: [50], dtype: .int64)
        let g1 = Generator(seed: 8)
        let reference = DataLoader(images: images, labels: labels, batchSize: 7, generator: g1)
        var expected: [[Int]] = []
        for _ in 0..<20 { expected.append(reference.nextBatch().labels.toIntArray()) }

        let g2 = Generator(seed: 8)
        let first = DataLoader(images: images, labels: labels, batchSize: 7, generator: g2)
        var got: [[Int]] = []
        for _ in 0..<10 { got.append(first.nextBatch().labels.toIntArray()) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("loader-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint.save(to: url, objects: ["loader": first, "rng": g2])

        let g3 = Generator(seed: 999)
        let resumed = DataLoader(images: images, labels: labels, batchSize: 7, generator: g3)
        try Checkpoint.load(from: url, into: ["loader": resumed, "rng": g3])
        for _ in 0..<10 { got.append(resumed.nextBatch().labels.toIntArray()) }
        XCTAssertEqual(got, expected)
    }

    func testImageGridPNG() throws {
        let batch = Tensor.linspace(-1, 1, count: 4 * 3 * 5).reshape([4, 1, 3, 5])
        let picture = try imageGrid(batch, nrow: 2, padding: 1)
        XCTAssertEqual(picture.width, 2 * 5 + 3)
        XCTAssertEqual(picture.height, 2 * 3 + 3)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("grid-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveImageGrid(batch, to: url, nrow: 2, padding: 1)
        let back = try PNG.read(from: url)
        XCTAssertEqual(back.width, picture.width)
        XCTAssertEqual(back[1, 1].first, 0)  // -1 maps to black: first pixel of the first image
    }

    func testNoise() {
        XCTAssertEqual(Noise.normal(batchSize: 4, dimension: 100).shape, [4, 100])
        XCTAssertEqual(Noise.normal(batchSize: 4, dimension: 100, spatial: true).shape, [4, 100, 1, 1])
        let u = Noise.uniform(batchSize: 100, dimension: 96, generator: Generator(seed: 1))
        XCTAssertGreaterThanOrEqual(u.min().item(), -1)
        XCTAssertLessThan(u.max().item(), 1)
    }
}

final class FashionMNISTTests: XCTestCase {
    func testFashionMNISTBothSplits() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/datasets/fashion-mnist").standardized
        let fallback = URL(fileURLWithPath: "/work/shared/datasets/fashion-mnist")
        let folder = FileManager.default.fileExists(atPath: dir.path) ? dir : fallback
        guard FileManager.default.fileExists(atPath: folder.path) else { throw XCTSkip("no ../shared/datasets/fashion-mnist") }
        let train = try MNISTDataset.fashionMNIST(directory: folder, split: .train)
        let test = try MNISTDataset.fashionMNIST(directory: folder, split: .test)
        XCTAssertEqual(train.images.shape, [60_000, 1, 28, 28])
        XCTAssertEqual(test.count, 10_000)
        // balanced classes: 6,000 of each in the training split
        let counts = Dictionary(grouping: train.labels.toIntArray(), by: { $0 }).mapValues(\.count)
        XCTAssertEqual(counts.count, 10)
        XCTAssertTrue(counts.values.allSatisfy { $0 == 6000 })
        XCTAssertEqual(MNISTDataset.fashionClassNames.count, 10)
    }

    func testMissingDirectoryIsATypedError() {
        XCTAssertThrowsError(try MNISTDataset.mnist(directory: URL(fileURLWithPath: "/no/such/folder"))) { error in
            XCTAssertTrue("\(error)".contains("/no/such/folder"), "\(error)")
        }
    }
}
