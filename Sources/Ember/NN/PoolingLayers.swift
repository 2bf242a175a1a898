/// 2-D max pooling (PyTorch's `nn.MaxPool2d`); the stride defaults to the kernel size.
public final class MaxPool2D: Module {
    public let kernelSize: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool
    public init(kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0], dilation: [Int] = [1, 1], ceilMode: Bool = false) {
        func pair(_ v: [Int]) -> [Int] { v.count == 1 ? [v[0], v[0]] : v }
        self.kernelSize = pair(kernelSize); self.stride = pair(stride ?? kernelSize)
        self.padding = pair(padding); self.dilation = pair(dilation); self.ceilMode = ceilMode
        super.init()
    }
    /// Square windows: `MaxPool2D(2)` halves the height and width.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false) {
        self.init(kernelSize: [kernelSize], stride: stride.map { [$0] }, padding: [padding], ceilMode: ceilMode)
    }
    public override func forward(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }
}

/// 2-D average pooling (PyTorch's `nn.AvgPool2d`); the stride defaults to the kernel size.
public final class AvgPool2D: Module {
    public let kernelSize: [Int], stride: [Int], padding: [Int], ceilMode: Bool, countIncludePad: Bool
    public init(kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0], ceilMode: Bool = false, countIncludePad: Bool = true) {
        func pair(_ v: [Int]) -> [Int] { v.count == 1 ? [v[0], v[0]] : v }
        self.kernelSize = pair(kernelSize); self.stride = pair(stride ?? kernelSize)
        self.padding = pair(padding); self.ceilMode = ceilMode; self.countIncludePad = countIncludePad
        super.init()
    }
    /// Square windows: `AvgPool2D(2)`.
    public convenience init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.init(kernelSize: [kernelSize], stride: stride.map { [$0] }, padding: [padding], ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
    public override func forward(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
}

/// Average pooling to a fixed output size (PyTorch's `nn.AdaptiveAvgPool2d`).
public final class AdaptiveAvgPool2D: Module {
    public let outputSize: [Int]
    public init(_ outputSize: [Int]) { self.outputSize = outputSize.count == 1 ? [outputSize[0], outputSize[0]] : outputSize; super.init() }
    public override func forward(_ input: Tensor) -> Tensor { adaptiveAvgPool2d(input, outputSize: outputSize) }
}

/// Resizes images by a scale factor or to a size (PyTorch's `nn.Upsample`): nearest (the
/// default) or bilinear. The dygraph DCGAN doubles 7→14→28 with
/// `Upsample(scaleFactor: 2, mode: .bilinear, alignCorners: true)` (Paddle 1.x's default).
public final class Upsample: Module {
    public let size: [Int]?, scaleFactor: [Double]?, mode: InterpolationMode, alignCorners: Bool?
    public init(size: [Int]? = nil, scaleFactor: Double? = nil, mode: InterpolationMode = .nearest, alignCorners: Bool? = nil) {
        precondition((size == nil) != (scaleFactor == nil), "Upsample: give exactly one of size and scaleFactor")
        self.size = size; self.scaleFactor = scaleFactor.map { [$0, $0] }; self.mode = mode; self.alignCorners = alignCorners
        super.init()
    }
    public override func forward(_ input: Tensor) -> Tensor {
        interpolate(input, size: size, scaleFactor: scaleFactor, mode: mode, alignCorners: alignCorners)
    }
}
