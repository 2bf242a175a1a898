import Foundation

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// A readable rendering like PyTorch's: `tensor([[1.0000, 2.0000], ...], requiresGrad: true)`.
    /// Tensors of more than 1,000 elements show the first and last three entries of each dimension.
    public var description: String {
        let values = toDoubleArray()
        let summarize = values.count > 1000
        let isInt = dtype == .int64
        let finite = values.filter { $0.isFinite }
        let maxAbs = finite.map { Swift.abs($0) }.max() ?? 0
        let minAbs = finite.filter { $0 != 0 }.map { Swift.abs($0) }.min() ?? 0
        let scientific = !isInt && (maxAbs >= 1e8 || (minAbs > 0 && minAbs < 1e-4))
        func format(_ v: Double) -> String {
            if isInt { return String(Int64(v)) }
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            return scientific ? String(format: "%.4e", v) : String(format: "%.4f", v)
        }
        let strings = values.map(format)
        let width = strings.map(\.count).max() ?? 0
        func pad(_ s: String) -> String { String(repeating: " ", count: width - s.count) + s }
        let contiguousStrides = Tensor.contiguousStrides(shape)

        func render(_ dim: Int, _ base: Int, _ indent: Int) -> String {
            if dim == rank { return pad(strings[base]) }
            let n = shape[dim]
            var parts: [String] = []
            let indices: [Int?] = summarize && n > 6 ? [0, 1, 2, nil, n - 3, n - 2, n - 1] : (0..<n).map { $0 }
            for i in indices {
                if let i { parts.append(render(dim + 1, base + i * contiguousStrides[dim], indent + 1)) } else { parts.append("...") }
            }
            if dim == rank - 1 { return "[" + parts.joined(separator: ", ") + "]" }
            let sep = "," + String(repeating: "\n", count: rank - dim - 1) + String(repeating: " ", count: 7 + indent + 1)
            return "[" + parts.joined(separator: sep) + "]"
        }
        var body = rank == 0 ? (strings.first ?? "") : render(0, 0, 0)
        if count == 0 { body = "[]" }
        var extras: [String] = []
        if count == 0 && rank > 0 { extras.append("size: \(shapeString(shape))") }
        if dtype != .float32 { extras.append("dtype: \(dtype)") }
        if let fn = gradFn { extras.append("gradFn: \(fn.name)") } else if requiresGrad { extras.append("requiresGrad: true") }
        return "tensor(" + body + (extras.isEmpty ? "" : ", " + extras.joined(separator: ", ")) + ")"
    }

    public var debugDescription: String { "Tensor(shape: \(shapeString(shape)), dtype: \(dtype)) " + description }
}
