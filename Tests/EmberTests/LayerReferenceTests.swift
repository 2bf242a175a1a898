import XCTest
@testable import Ember

/// The fields of layers.json cases that `FixtureCase` does not decode (FIXTURES.md 4.3, 4.4).
private struct LayerExtras: Decodable {
    struct ShapeRow: Decodable {
        let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int
        let inputShape: [Int], outputSize: [Int], outputShape: [Int]
        let inferredOutputPadding: [Int], outputShapeWithoutOutputSize: [Int]
        enum CodingKeys: String, CodingKey {
            case inChannels = "in_channels", outChannels = "out_channels", kernelSize = "kernel_size", stride, padding
            case inputShape = "input_shape", outputSize = "output_size", outputShape = "output_shape"
            case inferredOutputPadding = "inferred_output_padding"
            case outputShapeWithoutOutputSize = "output_shape_without_output_size"
        }
    }
    let name: String
    let indices: FixtureTensor?
    let shapes: [ShapeRow]?
    let inferredOutputPadding: [Int]?
    enum CodingKeys: String, CodingKey {
        case name, indices, shapes, inferredOutputPadding = "inferred_output_padding"
    }
}

/// Every case of layers.json: forward values and input/weight/bias gradients against PyTorch.
final class LayerReferenceTests: XCTestCase {
    func testLayersMatchPyTorch() throws {
        let cases = try loadFixtures("layers")
        let extras = Dictionary(uniqueKeysWithValues: try loadFixtures("layers", as: LayerExtras.self).map { ($0.name, $0) })
        XCTAssertEqual(cases.count, 55)
        var checked = 0
        for c in cases {
            let p = c.params ?? [:]
            let (rtol, atol) = c.name.hasSuffix("_f64") ? (1e-10, 1e-12) : (1e-5, 1e-5)
            let pair = { (key: String) -> [Int] in p[key]!.ints! }
            let optionalPair = { (key: String) -> [Int]? in p[key]?.isNull == false ? p[key]!.ints! : nil }
            switch c.op {
            case "conv_transpose2d_shapes":
                for row in extras[c.name]!.shapes! {
                    let x = Tensor.zeros(row.inputShape)
                    let w = Tensor.zeros([row.inChannels, row.outChannels, row.kernelSize, row.kernelSize])
                    let sized = convTranspose2d(x, weight: w, stride: [row.stride], padding: [row.padding], outputSize: row.outputSize)
                    XCTAssertEqual(sized.shape, row.outputShape, "\(c.name): \(row.inputShape) -> \(row.outputSize)")
                    let plain = convTranspose2d(x, weight: w, stride: [row.stride], padding: [row.padding])
                    XCTAssertEqual(plain.shape, row.outputShapeWithoutOutputSize)
                    // The inferred output padding reproduces the requested size.
                    let explicit = convTranspose2d(x, weight: w, stride: [row.stride], padding: [row.padding],
                                                   outputPadding: row.inferredOutputPadding)
                    XCTAssertEqual(explicit.shape, row.outputShape)
                }
            case "linear":
                checkFixture(c, rtol: rtol, atol: atol) { i in linear(i["x"]!, weight: i["weight"]!, bias: i["bias"]) }
            case "conv2d":
                let padding: ConvPadding = p["padding"]!.string == "same" ? .same : .symmetric(pair("padding")[0], pair("padding")[1])
                checkFixture(c, rtol: rtol, atol: atol) { i in
                    conv2d(i["x"]!, weight: i["weight"]!, bias: i["bias"], stride: pair("stride"), padding: padding,
                           dilation: pair("dilation"), groups: p["groups"]!.int!)
                }
            case "conv_transpose2d":
                let outputSize = optionalPair("output_size")
                if outputSize != nil { XCTAssertNotNil(extras[c.name]!.inferredOutputPadding) }
                checkFixture(c, rtol: rtol, atol: atol) { i in
                    convTranspose2d(i["x"]!, weight: i["weight"]!, bias: i["bias"], stride: pair("stride"), padding: pair("padding"),
                                    outputPadding: outputSize == nil ? pair("output_padding") : [0, 0],
                                    dilation: pair("dilation"), groups: p["groups"]!.int!, outputSize: outputSize)
                }
            case "max_pool2d":
                let run = { (x: Tensor) in
                    maxPool2dWithIndices(x, kernelSize: pair("kernel_size"), stride: optionalPair("stride"), padding: pair("padding"),
                                         dilation: pair("dilation"), ceilMode: p["ceil_mode"]!.bool!)
                }
                checkFixture(c, rtol: rtol, atol: atol) { i in run(i["x"]!).output }
                let indices = run(c.inputs!["x"]!.tensor).indices
                XCTAssertEqual(indices.dtype, .int64)
                XCTAssertEqual(indices.toIntArray(), extras[c.name]!.indices!.data.map { Int($0) }, "\(c.name) indices")
            case "avg_pool2d":
                checkFixture(c, rtol: rtol, atol: atol) { i in
                    avgPool2d(i["x"]!, kernelSize: pair("kernel_size"), stride: optionalPair("stride"), padding: pair("padding"),
                              ceilMode: p["ceil_mode"]!.bool!, countIncludePad: p["count_include_pad"]!.bool!,
                              divisorOverride: p["divisor_override"]!.int)
                }
            case "adaptive_avg_pool2d":
                checkFixture(c, rtol: rtol, atol: atol) { i in adaptiveAvgPool2d(i["x"]!, outputSize: pair("output_size")) }
            case "interpolate":
                let mode = InterpolationMode(rawValue: p["mode"]!.string!)!
                let scale = p["scale_factor"]!.double.map { [$0] }
                checkFixture(c, rtol: rtol, atol: atol) { i in
                    interpolate(i["x"]!, size: optionalPair("size"), scaleFactor: scale, mode: mode, alignCorners: p["align_corners"]!.bool)
                }
            case "embedding":
                checkFixture(c, rtol: rtol, atol: atol) { i in embedding(i["x"]!, weight: i["weight"]!, paddingIndex: p["padding_idx"]!.int) }
            default:
                XCTFail("\(c.name): unhandled op \(c.op)")
                continue
            }
            checked += 1
        }
        XCTAssertEqual(checked, cases.count)
    }
}
