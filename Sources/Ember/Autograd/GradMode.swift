/// Global switches of the autograd engine.
///
/// Recording is on by default. Use `withNoGrad { ... }` around evaluation code and optimizer
/// updates, and `Autograd.detectAnomaly = true` to find the first operation producing NaN or Inf.
public enum Autograd {
    nonisolated(unsafe) static var gradEnabled = true
    nonisolated(unsafe) static var anomalyEnabled = false

    /// Whether operations are currently recorded for differentiation.
    public static var isGradEnabled: Bool { gradEnabled }

    /// When true, every recorded operation checks its result, and every backward function its
    /// gradients, for NaN and Inf, and stops with a message naming the operation that first
    /// produced them (PyTorch's `detect_anomaly`). Slows everything down; for debugging only.
    public static var detectAnomaly: Bool {
        get { anomalyEnabled }
        set { anomalyEnabled = newValue }
    }
}

/// Runs `body` with gradient recording turned off (PyTorch's `torch.no_grad()`), then restores
/// the previous setting. Results computed inside do not require gradients.
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = Autograd.gradEnabled
    Autograd.gradEnabled = false
    defer { Autograd.gradEnabled = previous }
    return try body()
}

/// Runs `body` with gradient recording turned on or off, then restores the previous setting.
@discardableResult
public func withGradEnabled<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
    let previous = Autograd.gradEnabled
    Autograd.gradEnabled = enabled
    defer { Autograd.gradEnabled = previous }
    return try body()
}
