// Ops whose backward is a fixed linear map (pooling once the maxima are chosen, resampling,
// embedding lookup) record that map's adjoint, and the adjoint records the map again:
// gradients of any order then flow through them without extra code.

/// A linear map between tensors and its adjoint (transpose), both computed by kernels without
/// history. ⟨forward(x), y⟩ = ⟨x, adjoint(y)⟩ must hold.
struct LinearMap {
    let name: String
    let adjointName: String
    /// Tensors the map reads (e.g. max-pooling indices): changing them in place before backward is an error.
    var saved: [Tensor] = []
    let forward: (Tensor) -> Tensor
    let adjoint: (Tensor) -> Tensor

    /// Applies the map (or its adjoint) to `x` and records it for differentiation.
    func callAsFunction(_ x: Tensor, adjoint isAdjoint: Bool = false) -> Tensor {
        let xd = x.contiguousData
        return record(isAdjoint ? adjoint(xd) : forward(xd), input: x, adjoint: isAdjoint)
    }

    /// Records `out` (already computed from `input`) as the map (or its adjoint) of `input`.
    @discardableResult
    func record(_ out: Tensor, input: Tensor, adjoint isAdjoint: Bool = false) -> Tensor {
        if Autograd.shouldRecord(input) {
            let map = self
            out.recorded(isAdjoint ? adjointName : name, [input], saved: saved, inputsSaved: false) { g, _ in
                [map(g, adjoint: !isAdjoint)]
            }
        }
        return out
    }
}
