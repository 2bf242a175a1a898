import Foundation
import XCTest
@testable import Ember

/// A tensor as stored in the PyTorch fixtures (see Fixtures/FIXTURES.md).
struct FixtureTensor: Decodable {
    let dtype: String
    let shape: [Int]
    let data: [Double]

    /// The tensor in its stored dtype.
    var tensor: Tensor {
        switch dtype {
        case "float64": return Tensor(data, shape: shape, dtype: .float64)
        case "int64": return Tensor(data.map { Int($0) }, shape: shape, dtype: .int64)
        default: return Tensor(data.map { Float($0) }, shape: shape)
        }
    }
    var floats: [Float] { data.map { Float($0) } }
}

/// A JSON value for the free-form `params` of a case.
enum FixtureValue: Decodable {
    case number(Double), string(String), bool(Bool), array([FixtureValue]), object([String: FixtureValue]), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([FixtureValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: FixtureValue].self)) }
    }

    var double: Double? { if case .number(let n) = self { return n }; return nil }
    var int: Int? { double.map { Int($0) } }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var ints: [Int]? { if case .array(let a) = self { return a.compactMap { $0.int } }; return nil }
    var isNull: Bool { if case .null = self { return true }; return false }
    subscript(_ key: String) -> FixtureValue? { if case .object(let o) = self { return o[key] }; return nil }
}

/// One forward/backward case of activations.json, losses.json or layers.json.
struct FixtureCase: Decodable {
    let name: String
    let op: String
    let params: [String: FixtureValue]?
    let inputs: [String: FixtureTensor]?
    let output: FixtureTensor?
    let upstream: FixtureTensor?
    let grads: [String: FixtureTensor]?
}

struct FixtureFile<Case: Decodable>: Decodable {
    let cases: [Case]
}

/// Loads `Fixtures/<name>.json` from the test bundle.
func loadFixtures<Case: Decodable>(_ name: String, as: Case.Type = FixtureCase.self) throws -> [Case] {
    guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
        throw NSError(domain: "fixtures", code: 1, userInfo: [NSLocalizedDescriptionKey: "missing fixture \(name).json"])
    }
    return try JSONDecoder().decode(FixtureFile<Case>.self, from: Data(contentsOf: url)).cases
}

/// Runs a fixture case: builds leaf inputs (requiring grad where the fixture has a gradient),
/// applies `f`, back-propagates the stored upstream and compares output and gradients.
func checkFixture(_ c: FixtureCase, rtol: Double = 1e-5, atol: Double = 1e-6,
                  file: StaticString = #filePath, line: UInt = #line, _ f: ([String: Tensor]) -> Tensor) {
    var inputs: [String: Tensor] = [:]
    for (k, v) in c.inputs ?? [:] {
        let t = v.tensor
        if c.grads?[k] != nil { t.requiresGrad = true }
        inputs[k] = t
    }
    let out = f(inputs)
    guard let expected = c.output else { XCTFail("\(c.name): no output", file: file, line: line); return }
    XCTAssertEqual(out.shape, expected.shape, "\(c.name): output shape", file: file, line: line)
    compare(out.toDoubleArray(), expected.data, rtol: rtol, atol: atol, "\(c.name) output", file: file, line: line)
    guard let grads = c.grads, !grads.isEmpty, let up = c.upstream else { return }
    out.backward(gradient: up.tensor.to(out.dtype))
    for (k, g) in grads {
        guard let actual = inputs[k]?.grad else { XCTFail("\(c.name): no gradient for \(k)", file: file, line: line); continue }
        XCTAssertEqual(actual.shape, g.shape, "\(c.name): grad shape of \(k)", file: file, line: line)
        compare(actual.toDoubleArray(), g.data, rtol: rtol, atol: atol, "\(c.name) grad \(k)", file: file, line: line)
    }
}

func compare(_ a: [Double], _ b: [Double], rtol: Double, atol: Double, _ what: String,
             file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): element count", file: file, line: line)
    for i in 0..<Swift.min(a.count, b.count) where !(Swift.abs(a[i] - b[i]) <= atol + rtol * Swift.abs(b[i])) {
        XCTFail("\(what): element \(i): \(a[i]) vs expected \(b[i])", file: file, line: line)
        return
    }
}
