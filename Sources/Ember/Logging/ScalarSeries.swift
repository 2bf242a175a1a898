// A named sequence of logged scalars: what CSV, JSON Lines and TensorBoard logs read back into,
// and what LinePlot draws.

import Foundation

/// The values of one logged scalar (such as `loss`) with the steps they were logged at.
public struct ScalarSeries: Sendable, Equatable {
    /// The scalar's name or tag.
    public var name: String
    /// The steps, in logging order.
    public var steps: [Int]
    /// The values, one per step.
    public var values: [Double]

    /// Creates a series.
    public init(name: String, steps: [Int] = [], values: [Double] = []) {
        self.name = name
        self.steps = steps
        self.values = values
    }

    /// Groups (name, step, value) triples into series, in order of first appearance.
    struct Collector {
        private(set) var series: [ScalarSeries] = []
        private var index: [String: Int] = [:]

        mutating func add(_ name: String, step: Int, value: Double) {
            if let i = index[name] {
                series[i].steps.append(step)
                series[i].values.append(value)
            } else {
                index[name] = series.count
                series.append(ScalarSeries(name: name, steps: [step], values: [value]))
            }
        }
    }
}

extension LinePlot {
    /// Adds a logged series (from ``CSVLogger/read(from:)``, ``JSONLinesLogger/read(from:)`` or
    /// ``TensorBoardEventFile/scalarSeries(at:)``), named after it.
    public mutating func add(_ series: ScalarSeries, color: RGBColor? = nil) {
        add(series.name, steps: series.steps, values: series.values, color: color)
    }
}
