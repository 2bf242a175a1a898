import Foundation

/// Collects the output shape of every leaf module during a `summary` forward pass.
final class SummaryRecorder {
    nonisolated(unsafe) static var current: SummaryRecorder?
    var rows: [(module: Module, shape: [Int])] = []

    func record(_ module: Module, output: Tensor) {
        if module.children().isEmpty { rows.append((module, output.shape)) }
    }
}

/// Parameter counts of a model as Keras reports them.
public struct ParameterCounts: Equatable {
    /// Every element of every parameter and persistent float buffer.
    public let total: Int
    /// Elements of parameters that require gradients.
    public let trainable: Int
    /// Elements of frozen parameters and of float buffers such as BatchNorm's running statistics
    /// (integer counters like `num_batches_tracked` are not counted, as in Keras).
    public let nonTrainable: Int
}

extension Module {
    /// Trainable and non-trainable parameter counts of this module's own tensors (not its children's).
    func ownCounts() -> ParameterCounts {
        var trainable = 0, frozen = 0
        for (_, p) in namedDirectParameters() { if p.requiresGrad { trainable += p.count } else { frozen += p.count } }
        for (_, b) in namedDirectBuffers() where b.dtype.isFloatingPoint { frozen += b.count }
        return ParameterCounts(total: trainable + frozen, trainable: trainable, nonTrainable: frozen)
    }

    /// Parameter counts of the whole tree (Keras's "Total / Trainable / Non-trainable params").
    public func parameterCounts() -> ParameterCounts {
        var t = 0, n = 0
        for m in modules() { let c = m.ownCounts(); t += c.trainable; n += c.nonTrainable }
        return ParameterCounts(total: t + n, trainable: t, nonTrainable: n)
    }

    /// A Keras-like table of the layers (in the order they run), their output shapes and
    /// parameter counts, with totals, for one input of shape `inputShape` (without the batch
    /// dimension). The forward pass runs in evaluation mode without recording; the batch
    /// dimension is shown as -1.
    public func summary(inputShape: [Int], dtype: DType = .float32) -> String {
        summary(input: Tensor.zeros([2] + inputShape, dtype: dtype))
    }

    /// A Keras-like summary for a sample input (whose first dimension is the batch).
    public func summary(input: Tensor) -> String {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        let recorder = SummaryRecorder()
        SummaryRecorder.current = recorder
        defer { SummaryRecorder.current = nil }
        _ = withNoGrad { self(input) }

        let names = Dictionary(namedModules().map { (ObjectIdentifier($0.1), $0.0) }, uniquingKeysWith: { a, _ in a })
        var lines: [[String]] = [["Layer", "Type", "Output Shape", "Param #"]]
        var counted = Set<ObjectIdentifier>()
        for row in recorder.rows {
            let id = ObjectIdentifier(row.module)
            let params = counted.insert(id).inserted ? row.module.ownCounts().total : 0
            let shape = "[" + (["-1"] + row.shape.dropFirst().map(String.init)).joined(separator: ", ") + "]"
            lines.append([names[id].map { $0.isEmpty ? "(self)" : $0 } ?? "?", String(describing: type(of: row.module)), shape, formatCount(params)])
        }
        let widths = (0..<4).map { c in lines.map { $0[c].count }.max()! + 2 }
        func render(_ l: [String]) -> String {
            l.enumerated().map { i, s in i == 3 ? String(repeating: " ", count: widths[i] - s.count) + s : s + String(repeating: " ", count: widths[i] - s.count) }.joined()
        }
        let rule = String(repeating: "=", count: widths.reduce(0, +))
        var out = [render(lines[0]), rule]
        out += lines.dropFirst().map(render)
        let counts = parameterCounts()
        out += [rule, "Total params: \(formatCount(counts.total))", "Trainable params: \(formatCount(counts.trainable))",
                "Non-trainable params: \(formatCount(counts.nonTrainable))", String(repeating: "_", count: rule.count)]
        return out.joined(separator: "\n")
    }
}

/// 1493520 → "1,493,520".
func formatCount(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}
