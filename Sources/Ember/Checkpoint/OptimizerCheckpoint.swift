import Foundation

extension Optimizer: Checkpointable {
    /// Per-parameter state as `state.<index>.<key>` tensors (PyTorch's layout) and the parameter
    /// groups' hyper-parameters as JSON in the `param_groups` metadata entry.
    public func checkpointPayload() -> CheckpointPayload {
        let sd = stateDict()
        var tensors = StateDict()
        for (index, entry) in sd.state.sorted(by: { $0.key < $1.key }) {
            for (key, t) in entry.sorted(by: { $0.key < $1.key }) { tensors["state.\(index).\(key)"] = t }
        }
        let json = (try? JSONEncoder().encode(sd.paramGroups)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        return CheckpointPayload(tensors: tensors, metadata: ["param_groups": json])
    }

    func decodeCheckpoint(_ payload: CheckpointPayload) -> (OptimizerStateDict?, [String]) {
        guard let json = payload.metadata["param_groups"] else { return (nil, ["missing param_groups metadata"]) }
        guard let groups = try? JSONDecoder().decode([[String: StateValue]].self, from: Data(json.utf8)) else {
            return (nil, ["param_groups metadata is not a list of hyper-parameter maps"])
        }
        var state: [Int: [String: Tensor]] = [:]
        var problems: [String] = []
        for (name, t) in payload.tensors {
            let parts = name.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]) else {
                problems.append("unexpected tensor \"\(name)\""); continue
            }
            state[index, default: [:]][String(parts[2])] = t
        }
        return (OptimizerStateDict(state: state, paramGroups: groups), problems)
    }

    public func checkpointProblems(_ payload: CheckpointPayload, strict: Bool) -> [String] {
        let (dict, problems) = decodeCheckpoint(payload)
        guard let dict else { return problems }
        return problems + checkStateDict(dict).problems.map { "\($0)" }
    }

    public func restoreCheckpoint(_ payload: CheckpointPayload) {
        if let dict = decodeCheckpoint(payload).0 { try? loadStateDict(dict) }
    }
}

extension LRScheduler: Checkpointable {
    /// The scheduler's state dict as JSON in the `state` metadata entry.
    public func checkpointPayload() -> CheckpointPayload {
        let json = (try? JSONEncoder().encode(stateDict())).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
        return CheckpointPayload(metadata: ["state": json])
    }

    public func checkpointProblems(_ payload: CheckpointPayload, strict: Bool) -> [String] {
        guard let json = payload.metadata["state"],
              let dict = try? JSONDecoder().decode(LRSchedulerStateDict.self, from: Data(json.utf8)) else {
            return ["missing or unreadable scheduler state"]
        }
        // loadStateDict is all-or-nothing: try it, then put the current state back.
        let current = stateDict()
        do {
            try loadStateDict(dict)
            try? loadStateDict(current)
            return []
        } catch {
            return ["\(error)"]
        }
    }

    public func restoreCheckpoint(_ payload: CheckpointPayload) {
        if let json = payload.metadata["state"],
           let dict = try? JSONDecoder().decode(LRSchedulerStateDict.self, from: Data(json.utf8)) {
            try? loadStateDict(dict)
        }
    }
}
