extension Tensor {
    /// A tensor holding `values` with the given shape (default: one dimension).
    ///
    /// ```swift
    /// let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])          // float32
    /// let y = Tensor([0.5, 1.5], dtype: .float64)
    /// ```
    public convenience init(_ values: [Double], shape: [Int]? = nil, dtype: DType = .float32, requiresGrad: Bool = false) {
        let shape = shape ?? [values.count]
        Tensor.checkShape(shape, values.count, "Tensor(_:shape:)")
        self.init(uninitializedShape: shape, dtype: dtype)
        switch dtype {
        case .float32:
            let p = basePointer(Float.self)
            for (i, v) in values.enumerated() { p[i] = Float(v) }
        case .float64:
            basePointer(Double.self).update(from: values, count: values.count)
        case .int64:
            let p = basePointer(Int64.self)
            for (i, v) in values.enumerated() { p[i] = Int64(v) }
        }
        if requiresGrad { self.requiresGrad = true }
    }

    /// A float32 tensor holding `values` with the given shape (default: one dimension).
    public convenience init(_ values: [Float], shape: [Int]? = nil, requiresGrad: Bool = false) {
        let shape = shape ?? [values.count]
        Tensor.checkShape(shape, values.count, "Tensor(_:shape:)")
        self.init(uninitializedShape: shape, dtype: .float32)
        basePointer(Float.self).update(from: values, count: values.count)
        if requiresGrad { self.requiresGrad = true }
    }

    /// A tensor of integers (labels, indices); `dtype` defaults to `.int64`.
    public convenience init(_ values: [Int], shape: [Int]? = nil, dtype: DType) {
        self.init(values.map { Double($0) }, shape: shape, dtype: dtype)
        if dtype == .int64 {  // exact for the full Int64 range
            let p = basePointer(Int64.self)
            for (i, v) in values.enumerated() { p[i] = Int64(v) }
        }
    }

    /// An int64 tensor of labels or indices.
    public convenience init(indices values: [Int], shape: [Int]? = nil) {
        self.init(values, shape: shape, dtype: .int64)
    }

    /// A zero-dimensional tensor holding one value.
    public convenience init(_ value: Double, dtype: DType = .float32, requiresGrad: Bool = false) {
        self.init([value], shape: [], dtype: dtype, requiresGrad: requiresGrad)
    }

    static func checkShape(_ shape: [Int], _ n: Int, _ op: String) {
        if shape.contains(where: { $0 < 0 }) { fail(op, "negative dimension in shape \(shapeString(shape))") }
        if shape.reduce(1, *) != n {
            fail(op, "shape \(shapeString(shape)) holds \(shape.reduce(1, *)) elements but \(n) values were given")
        }
    }

    // MARK: Constant tensors

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        if shape.contains(where: { $0 < 0 }) { fail("full", "negative dimension in shape \(shapeString(shape))") }
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        let n = t.count
        switch dtype {
        case .float32: t.basePointer(Float.self).initialize(repeating: Float(value), count: n)
        case .float64: t.basePointer(Double.self).initialize(repeating: value, count: n)
        case .int64: t.basePointer(Int64.self).initialize(repeating: Int64(value), count: n)
        }
        if requiresGrad { t.requiresGrad = true }
        return t
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(shape, 0, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// Zeros with the shape and dtype of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }
    /// Ones with the shape and dtype of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype) }

    /// Values from `start` up to (excluding) `end` in steps of `step`, like `torch.arange`.
    public static func arange(_ start: Double = 0, _ end: Double, step: Double = 1, dtype: DType = .float32) -> Tensor {
        if step == 0 || (end - start) / step < 0 && end != start {
            fail("arange", "the range \(start)..<\(end) with step \(step) is empty or infinite")
        }
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<n).map { start + Double($0) * step }, shape: [n], dtype: dtype)
    }

    /// `count` evenly spaced values from `start` to `end` inclusive.
    public static func linspace(_ start: Double, _ end: Double, count: Int, dtype: DType = .float32) -> Tensor {
        if count < 0 { fail("linspace", "count must be non-negative, got \(count)") }
        if count == 1 { return Tensor([start], shape: [1], dtype: dtype) }
        let step = (end - start) / Double(Swift.max(count - 1, 1))
        return Tensor((0..<count).map { start + Double($0) * step }, shape: [count], dtype: dtype)
    }

    /// The `n` x `m` identity matrix (m defaults to n).
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32) -> Tensor {
        let m = m ?? n
        var values = [Double](repeating: 0, count: n * m)
        for i in 0..<Swift.min(n, m) { values[i * m + i] = 1 }
        return Tensor(values, shape: [n, m], dtype: dtype)
    }

    // MARK: Random tensors

    /// Uniform values in [0, 1) (PyTorch's `torch.rand`).
    public static func rand(_ shape: [Int], dtype: DType = .float32, generator: Generator? = nil, requiresGrad: Bool = false) -> Tensor {
        uniform(shape, low: 0, high: 1, dtype: dtype, generator: generator, requiresGrad: requiresGrad)
    }

    /// Uniform values in [low, high).
    public static func uniform(_ shape: [Int], low: Double = 0, high: Double = 1, dtype: DType = .float32,
                               generator: Generator? = nil, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        t.fillUniform(low: low, high: high, generator: generator)
        if requiresGrad { t.requiresGrad = true }
        return t
    }

    /// Standard normal values (PyTorch's `torch.randn`).
    public static func randn(_ shape: [Int], dtype: DType = .float32, generator: Generator? = nil, requiresGrad: Bool = false) -> Tensor {
        normal(shape, mean: 0, std: 1, dtype: dtype, generator: generator, requiresGrad: requiresGrad)
    }

    /// Normal values with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1, dtype: DType = .float32,
                              generator: Generator? = nil, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        t.fillNormal(mean: mean, std: std, generator: generator)
        if requiresGrad { t.requiresGrad = true }
        return t
    }

    /// Ones with probability `p`, zeros otherwise.
    public static func bernoulli(_ shape: [Int], p: Double, dtype: DType = .float32, generator: Generator? = nil) -> Tensor {
        if !(0...1).contains(p) { fail("bernoulli", "probability \(p) is outside [0, 1]") }
        let g = generator ?? Generator.default
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        let n = t.count
        switch dtype {
        case .float32:
            let ptr = t.basePointer(Float.self)
            for i in 0..<n { ptr[i] = g.nextDouble() < p ? 1 : 0 }
        case .float64:
            let ptr = t.basePointer(Double.self)
            for i in 0..<n { ptr[i] = g.nextDouble() < p ? 1 : 0 }
        case .int64:
            let ptr = t.basePointer(Int64.self)
            for i in 0..<n { ptr[i] = g.nextDouble() < p ? 1 : 0 }
        }
        return t
    }

    /// Ones with the probability given elementwise by `probabilities`, zeros otherwise.
    public static func bernoulli(_ probabilities: Tensor, generator: Generator? = nil) -> Tensor {
        let g = generator ?? Generator.default
        let probs = probabilities.toDoubleArray()
        if let bad = probs.first(where: { !(0...1).contains($0) }) { fail("bernoulli", "probability \(bad) is outside [0, 1]") }
        return Tensor(probs.map { g.nextDouble() < $0 ? 1 : 0 }, shape: probabilities.shape,
                      dtype: probabilities.dtype == .int64 ? .float32 : probabilities.dtype)
    }

    /// Random integers in low..<high (PyTorch's `torch.randint`), int64 by default.
    public static func randint(low: Int = 0, high: Int, _ shape: [Int], dtype: DType = .int64, generator: Generator? = nil) -> Tensor {
        if high <= low { fail("randint", "empty range \(low)..<\(high)") }
        let g = generator ?? Generator.default
        let n = shape.reduce(1, *)
        return Tensor((0..<n).map { _ in low + g.nextInt(below: high - low) }, shape: shape, dtype: dtype)
    }

    /// A random permutation of 0..<n (int64).
    public static func randperm(_ n: Int, generator: Generator? = nil) -> Tensor {
        var values = Array(0..<n)
        let g = generator ?? Generator.default
        if n > 1 { for i in stride(from: n - 1, to: 0, by: -1) { values.swapAt(i, g.nextInt(below: i + 1)) } }
        return Tensor(indices: values)
    }

    // MARK: In-place fills (no history; they bump the version)

    /// Overwrites every element with uniform values in [low, high).
    public func fillUniform(low: Double, high: Double, generator: Generator? = nil) {
        let g = generator ?? Generator.default
        mutateContiguous("fillUniform") { n in
            switch dtype {
            case .float32:
                let p = basePointer(Float.self), lo = Float(low), w = Float(high - low)
                for i in 0..<n { p[i] = lo + w * g.nextFloat() }
            case .float64:
                let p = basePointer(Double.self)
                for i in 0..<n { p[i] = low + (high - low) * g.nextDouble() }
            case .int64: fail("fillUniform", "needs a floating-point tensor")
            }
        }
    }

    /// Overwrites every element with normal values.
    public func fillNormal(mean: Double, std: Double, generator: Generator? = nil) {
        let g = generator ?? Generator.default
        mutateContiguous("fillNormal") { n in
            switch dtype {
            case .float32:
                let p = basePointer(Float.self)
                for i in 0..<n { p[i] = Float(mean + std * g.nextNormal()) }
            case .float64:
                let p = basePointer(Double.self)
                for i in 0..<n { p[i] = mean + std * g.nextNormal() }
            case .int64: fail("fillNormal", "needs a floating-point tensor")
            }
        }
    }

    /// Overwrites every element with `value`.
    public func fill(_ value: Double) {
        mutateContiguous("fill") { n in
            switch dtype {
            case .float32: basePointer(Float.self).update(repeating: Float(value), count: n)
            case .float64: basePointer(Double.self).update(repeating: value, count: n)
            case .int64: basePointer(Int64.self).update(repeating: Int64(value), count: n)
            }
        }
    }

    /// Copies the elements of `source` (same shape; dtype converted) into this tensor in place.
    public func copy(from source: Tensor) {
        if source.shape != shape {
            fail("copy", "source shape \(shapeString(source.shape)) does not match destination shape \(shapeString(shape))")
        }
        mutateContiguous("copy") { n in
            switch dtype {
            case .float32:
                let v = source.dtype == .float32 ? source.contiguousArray(Float.self) : source.toArray()
                basePointer(Float.self).update(from: v, count: n)
            case .float64:
                basePointer(Double.self).update(from: source.toDoubleArray(), count: n)
            case .int64:
                let p = basePointer(Int64.self)
                for (i, v) in source.toIntArray().enumerated() { p[i] = Int64(v) }
            }
        }
    }

    func mutateContiguous(_ op: String, _ body: (Int) -> Void) {
        if !isContiguous { fail(op, "in-place writes need a contiguous tensor; got strides \(strides) for shape \(shapeString(shape))") }
        if Autograd.gradEnabled && requiresGrad && isLeaf {
            fail(op, "a leaf tensor that requires grad is being used in an in-place operation; wrap it in withNoGrad { }")
        }
        storage.version &+= 1
        body(count)
    }
}
