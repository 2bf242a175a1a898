/// One recorded operation of the tape: the inputs it was applied to, the tensors it saved for
/// its backward rule, and the rule itself.
///
/// A backward rule receives the gradient of the output and the node, and returns one gradient
/// per input (nil where an input needs none). Rules are written with tensor operations, so that
/// running them with recording on (`createGraph: true`) yields differentiable gradients.
final class Node {
    typealias BackwardRule = (_ grad: Tensor, _ node: Node) -> [Tensor?]

    /// The operation's name, used in error messages and anomaly reports.
    let name: String
    /// The inputs of the operation (the edges of the graph).
    var inputs: [Tensor]
    /// Extra tensors the rule needs (detached: they never point back into the graph).
    var saved: [Tensor]
    /// Storage versions of the saved inputs and tensors, checked before the rule runs.
    var savedVersions: [Int]
    /// Which inputs the backward rule reads (their later in-place modification is an error).
    let inputsSaved: Bool
    var rule: BackwardRule?
    /// The gradient flowing into this node's output, accumulated during one backward pass.
    var pendingGrad: Tensor?
    /// The tensor this node produced when it retains its gradient (weak to avoid a cycle).
    weak var retainedOutput: Tensor?
    /// Marks nodes visited by the current topological sort.
    var visitMark = 0

    init(name: String, inputs: [Tensor], saved: [Tensor], inputsSaved: Bool, rule: @escaping BackwardRule) {
        self.name = name
        self.inputs = inputs
        self.saved = saved
        self.inputsSaved = inputsSaved
        self.rule = rule
        var versions: [Int] = []
        if inputsSaved { versions.reserveCapacity(inputs.count + saved.count); for t in inputs { versions.append(t.storage.version) } }
        for t in saved { versions.append(t.storage.version) }
        self.savedVersions = versions
    }

    /// Input `i` as saved at forward time.
    @inline(__always) func input(_ i: Int) -> Tensor { inputs[i] }

    /// Whether input `i` needs a gradient.
    @inline(__always) func needsGrad(_ i: Int) -> Bool { inputs[i].requiresGrad }

    /// Drops the rule, saved tensors and edges once backward has used them.
    func release() {
        rule = nil
        saved = []
        if !inputs.isEmpty { Node.releaseInputsIteratively(self) }
    }

    /// Verifies that no tensor saved for backward was modified in place since it was saved.
    func checkVersions() {
        var k = 0
        if inputsSaved {
            for t in inputs {
                if t.storage.version != savedVersions[k] { versionError(t, savedVersions[k]) }
                k += 1
            }
        }
        for t in saved {
            if t.storage.version != savedVersions[k] { versionError(t, savedVersions[k]) }
            k += 1
        }
    }

    private func versionError(_ t: Tensor, _ expected: Int) -> Never {
        fail("backward", "one of the tensors needed to compute the gradient of \(name) was modified by an in-place operation: a \(t.dtype) tensor of shape \(shapeString(t.shape)) is at version \(t.storage.version); expected version \(expected). Typical cause: an optimizer step() between a forward pass and its backward().")
    }

    deinit {
        if !inputs.isEmpty { Node.releaseInputsIteratively(self) }
    }

    /// Releases `node`'s inputs without recursion: nodes that would be freed are moved to an
    /// explicit stack and their own inputs unlinked there.
    static func releaseInputsIteratively(_ node: Node) {
        var pending: [Node] = []
        drain(&node.inputs, into: &pending)
        while var next = pending.popLast() {
            if isKnownUniquelyReferenced(&next) { drain(&next.inputs, into: &pending) }
        }
    }

    /// Called from `Tensor.deinit` with its `gradFn`.
    static func releaseIteratively(_ fn: inout Node?) {
        guard var node = fn else { return }
        fn = nil
        if isKnownUniquelyReferenced(&node), !node.inputs.isEmpty {
            releaseInputsIteratively(node)
        }
    }

    /// Empties `inputs`; every input tensor referenced nowhere else gives up its node to `pending`
    /// before it dies, so its death does not recurse.
    private static func drain(_ inputs: inout [Tensor], into pending: inout [Node]) {
        while var t = inputs.popLast() {
            if isKnownUniquelyReferenced(&t), let fn = t.gradFn {
                t.gradFn = nil
                pending.append(fn)
            }
        }
    }
}
