// Tutorial 01: tensors, broadcasting and backward(), then a tiny regression fitted by gradient descent.
// Run it with: swift run -c release TensorsAndAutograd
import Ember

print("== 1. Tensors ==")
let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
print("x =", x)
print("shape \(x.shape), rank \(x.rank), \(x.count) elements, dtype \(x.dtype)")
print("x.T (a view, no copy) =", x.T)
print("x[1] =", x[1], " x.sum(dim: 0) =", x.sum(dim: 0))

print("\n== 2. Broadcasting ==")
let rowBias = Tensor([10, 20, 30])          // shape [3] lines up with x's last dimension
let columnScale = Tensor([1, -1], shape: [2, 1])
print("x + rowBias =", x + rowBias)
print("x * columnScale =", x * columnScale)

print("\n== 3. backward() ==")
let w = Tensor([0.5, -1, 2], requiresGrad: true)
let y = (x * w).sum()                        // y = Σ_ij x_ij · w_j
y.backward()
print("y =", y.item(), " dy/dw =", w.grad!, "(the column sums of x)")

print("\n== 4. Fitting y = 3x - 2 with gradient descent ==")
manualSeed(0)
let inputs = Tensor.uniform([64, 1], low: -1, high: 1)
let targets = inputs * 3 - 2 + Tensor.randn([64, 1]) * 0.05
let weight = Tensor.zeros([1, 1], requiresGrad: true)
let bias = Tensor.zeros([1], requiresGrad: true)
let learningRate = 0.5
for step in 1...60 {
    let prediction = linear(inputs, weight: weight, bias: bias)
    let loss = mseLoss(prediction, targets)
    loss.backward()
    withNoGrad {
        // plain SGD: θ ← θ - lr·∇θ, written out by hand
        weight.copy(from: weight - weight.grad! * learningRate)
        bias.copy(from: bias - bias.grad! * learningRate)
    }
    weight.grad = nil
    bias.grad = nil
    if step % 15 == 0 { print("step \(step): loss \(loss.item())") }
}
print("learned weight \(weight.item()) (true 3), bias \(bias.item()) (true -2)")
