/// The part of a checkpoint that belongs to one object: tensors and string metadata, with keys
/// relative to the object's prefix.
public struct CheckpointPayload {
    /// Tensors by name (for a module: its state dict).
    public var tensors: StateDict
    /// String values by name (hyper-parameters, positions, counters).
    public var metadata: [String: String]

    public init(tensors: StateDict = StateDict(), metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }
}

/// An object whose state travels in a checkpoint: modules, optimizers, schedules, random
/// generators, data loaders.
///
/// Restoring happens in two phases so that a checkpoint is applied all-or-nothing: every object
/// first reports what it would refuse (`checkpointProblems`), and only when nobody objects does
/// each one `restoreCheckpoint`.
public protocol Checkpointable: AnyObject {
    /// The state to save.
    func checkpointPayload() -> CheckpointPayload
    /// Everything that prevents restoring `payload` (empty when it can be restored).
    func checkpointProblems(_ payload: CheckpointPayload, strict: Bool) -> [String]
    /// Restores a payload for which `checkpointProblems` returned nothing.
    func restoreCheckpoint(_ payload: CheckpointPayload)
}

extension Module: Checkpointable {
    public func checkpointPayload() -> CheckpointPayload { CheckpointPayload(tensors: stateDict()) }

    public func checkpointProblems(_ payload: CheckpointPayload, strict: Bool) -> [String] {
        do {
            try validateStateDict(payload.tensors, strict: strict)
            return []
        } catch let e as StateDictError {
            return e.problems
        } catch {
            return ["\(error)"]
        }
    }

    public func restoreCheckpoint(_ payload: CheckpointPayload) {
        _ = try? loadStateDict(payload.tensors, strict: false)
    }
}

extension Generator: Checkpointable {
    /// The six state words as an int64 tensor named `state` (bit patterns).
    public func checkpointPayload() -> CheckpointPayload {
        let words = state.map { Int(Int64(bitPattern: $0)) }
        return CheckpointPayload(tensors: StateDict([("state", Tensor(words, shape: [words.count], dtype: .int64))]))
    }

    public func checkpointProblems(_ payload: CheckpointPayload, strict: Bool) -> [String] {
        guard let t = payload.tensors["state"] else { return ["missing generator state tensor \"state\""] }
        if t.dtype != .int64 || t.shape != [6] { return ["generator state must be int64 [6], got \(t.dtype) \(shapeString(t.shape))"] }
        return []
    }

    public func restoreCheckpoint(_ payload: CheckpointPayload) {
        state = payload.tensors["state"]!.contiguousArray(Int64.self).map { UInt64(bitPattern: $0) }
    }
}
