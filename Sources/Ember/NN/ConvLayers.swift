/// A 2-D convolution layer over [N, C, H, W] inputs (PyTorch's `nn.Conv2d`).
///
/// `weight` is [outChannels, inChannels/groups, kH, kW]; weight and bias start uniform in
/// ±1/√(inChannels/groups·kH·kW), PyTorch's default.
public final class Conv2D: Module {
    /// The filters [outChannels, inChannels/groups, kH, kW].
    public let weight: Tensor
    /// The bias [outChannels], or nil.
    public let bias: Tensor?
    public let stride: [Int], padding: ConvPadding, dilation: [Int], groups: Int

    /// - Parameters:
    ///   - kernelSize: one size for both dimensions, or [kH, kW].
    ///   - padding: zero padding: `2`, `.symmetric(1, 2)`, `.same` or explicit sides.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1, 1],
                padding: ConvPadding = .zero, dilation: [Int] = [1, 1], groups: Int = 1, bias: Bool = true,
                dtype: DType = .float32) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2D: in_channels \(inChannels) and out_channels \(outChannels) must be divisible by groups \(groups)")
        let k = kernelSize.count == 1 ? [kernelSize[0], kernelSize[0]] : kernelSize
        let bound = 1 / Double(inChannels / groups * k[0] * k[1]).squareRoot()
        weight = Tensor.uniform([outChannels, inChannels / groups] + k, low: -bound, high: bound, dtype: dtype, requiresGrad: true)
        self.bias = bias ? Tensor.uniform([outChannels], low: -bound, high: bound, dtype: dtype, requiresGrad: true) : nil
        self.stride = stride.count == 1 ? [stride[0], stride[0]] : stride
        self.padding = padding
        self.dilation = dilation.count == 1 ? [dilation[0], dilation[0]] : dilation
        self.groups = groups
        super.init()
    }

    /// A square-kernel convolution: `Conv2D(1, 64, kernelSize: 5, padding: 2)`.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: ConvPadding = .zero, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                            dtype: DType = .float32) {
        self.init(inChannels, outChannels, kernelSize: [kernelSize, kernelSize], stride: [stride, stride],
                  padding: padding, dilation: [dilation, dilation], groups: groups, bias: bias, dtype: dtype)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// A 2-D transposed convolution layer (PyTorch's `nn.ConvTranspose2d`), the adjoint of `Conv2D`:
/// H_out = (H - 1)·stride - 2·padding + dilation·(k - 1) + outputPadding + 1.
///
/// `weight` is [inChannels, outChannels/groups, kH, kW]; PyTorch's default init reads the fan-in
/// from dimension 1, so the bound is 1/√(outChannels/groups·kH·kW).
public final class ConvTranspose2D: Module {
    /// The filters [inChannels, outChannels/groups, kH, kW].
    public let weight: Tensor
    /// The bias [outChannels], or nil.
    public let bias: Tensor?
    public let stride: [Int], padding: [Int], outputPadding: [Int], dilation: [Int], groups: Int

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1, 1],
                padding: [Int] = [0, 0], outputPadding: [Int] = [0, 0], dilation: [Int] = [1, 1],
                groups: Int = 1, bias: Bool = true, dtype: DType = .float32) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "ConvTranspose2D: in_channels \(inChannels) and out_channels \(outChannels) must be divisible by groups \(groups)")
        func pair(_ v: [Int]) -> [Int] { v.count == 1 ? [v[0], v[0]] : v }
        let k = pair(kernelSize)
        let bound = 1 / Double(outChannels / groups * k[0] * k[1]).squareRoot()
        weight = Tensor.uniform([inChannels, outChannels / groups] + k, low: -bound, high: bound, dtype: dtype, requiresGrad: true)
        self.bias = bias ? Tensor.uniform([outChannels], low: -bound, high: bound, dtype: dtype, requiresGrad: true) : nil
        self.stride = pair(stride)
        self.padding = pair(padding)
        self.outputPadding = pair(outputPadding)
        self.dilation = pair(dilation)
        self.groups = groups
        super.init()
    }

    /// A square-kernel transposed convolution: `ConvTranspose2D(128, 64, kernelSize: 5, stride: 2, padding: 2)`.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                            dtype: DType = .float32) {
        self.init(inChannels, outChannels, kernelSize: [kernelSize, kernelSize], stride: [stride, stride],
                  padding: [padding, padding], outputPadding: [outputPadding, outputPadding],
                  dilation: [dilation, dilation], groups: groups, bias: bias, dtype: dtype)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        convTranspose2d(input, weight: weight, bias: bias, stride: stride, padding: padding,
                        outputPadding: outputPadding, dilation: dilation, groups: groups)
    }

    /// Applies the layer choosing the output padding that yields `outputSize` ([H, W]), like
    /// Paddle's `output_size` and PyTorch's `forward(x, output_size=...)`: 7→14→28 in DCGAN.
    public func callAsFunction(_ input: Tensor, outputSize: [Int]) -> Tensor {
        let output = convTranspose2d(input, weight: weight, bias: bias, stride: stride, padding: padding,
                                     outputPadding: outputPadding, dilation: dilation, groups: groups, outputSize: outputSize)
        SummaryRecorder.current?.record(self, output: output)
        return output
    }
}
