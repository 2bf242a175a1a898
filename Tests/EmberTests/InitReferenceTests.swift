import XCTest
@testable import Ember

/// Default initialisation against PyTorch's (Fixtures/init.json): bounds, means and standard
/// deviations over large layers, and the state-dict layout of the Keras generator.
final class InitReferenceTests: XCTestCase {
    struct Stats: Decodable { let mean: Double; let std: Double; let max_abs: Double }
    struct Dist: Decodable { let distribution: String; let bound: Double?; let expected_std: Double?; let measured: Stats? }
    struct Key: Decodable { let key: String; let shape: [Int]; let dtype: String }
    struct Case: Decodable {
        let name: String
        let weight_shape: [Int]?
        let weight: Dist?
        let bias: Dist?
        let state_dict: [Key]?
    }

    func layer(_ name: String) -> Module? {
        switch name {
        case "linear_784_1024": return Linear(784, 1024)
        case "conv2d_64_128_k5": return Conv2D(64, 128, kernelSize: 5)
        case "conv_transpose2d_128_64_k5": return ConvTranspose2D(128, 64, kernelSize: 5)
        case "conv2d_64_128_k3_groups4": return Conv2D(64, 128, kernelSize: 3, groups: 4)
        case "conv_transpose2d_128_64_k5_groups2": return ConvTranspose2D(128, 64, kernelSize: 5, groups: 2)
        case "conv_transpose2d_100_64_k4_s2_p1": return ConvTranspose2D(100, 64, kernelSize: 4, stride: 2, padding: 1)
        default: return nil
        }
    }

    func testDefaultInitMatchesPyTorch() throws {
        let cases = try loadFixtures("init", as: Case.self)
        var checked = 0
        for c in cases {
            guard let m = layer(c.name), let wd = c.weight, let bound = wd.bound, let std = wd.expected_std else { continue }
            let sd = m.stateDict()
            let w = sd["weight"]!, b = sd["bias"]!
            XCTAssertEqual(w.shape, c.weight_shape, c.name)
            for (t, what) in [(w, "weight"), (b, "bias")] {
                let maxAbs = Double(t.abs().max().item())
                XCTAssertLessThanOrEqual(maxAbs, Double(Float(bound)), "\(c.name) \(what)")
                XCTAssertGreaterThan(maxAbs, bound * (t.count > 5000 ? 0.999 : 0.9), "\(c.name) \(what)")
            }
            // U(-b, b): std b/√3; compare with the same relative slack PyTorch's own sample shows
            let measured = Double(w.std().item())
            XCTAssertEqual(measured, std, accuracy: std * 0.02, c.name)
            XCTAssertEqual(Double(w.mean().item()), 0, accuracy: std * 0.02, c.name)
            checked += 1
        }
        XCTAssertEqual(checked, 6)
    }

    func testKerasGeneratorStateDictLayout() throws {
        let cases = try loadFixtures("init", as: Case.self)
        let keras = try XCTUnwrap(cases.first { $0.name == "workload_B_keras_generator" }?.state_dict)
        let g = Sequential {
            Linear(100, 256); LeakyReLU(0.2); BatchNorm1D(256, momentum: 0.2)
            Linear(256, 512); LeakyReLU(0.2); BatchNorm1D(512, momentum: 0.2)
            Linear(512, 1024); LeakyReLU(0.2); BatchNorm1D(1024, momentum: 0.2)
            Linear(1024, 784); Tanh(); Unflatten(dim: 1, sizes: [1, 28, 28])
        }
        let sd = g.stateDict()
        XCTAssertEqual(sd.keys, keras.map(\.key))
        for k in keras {
            XCTAssertEqual(sd[k.key]?.shape, k.shape, k.key)
            XCTAssertEqual(sd[k.key]?.dtype.rawValue, k.dtype, k.key)
        }
    }
}
