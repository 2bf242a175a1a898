import Foundation

extension Module {
    /// Writes the state dict to a safetensors file (atomically), optionally under a key prefix.
    /// Python reads it with `safetensors.torch.load_file(path)` and
    /// `model.load_state_dict(...)` for the same PyTorch architecture.
    public func saveSafetensors(to url: URL, prefix: String? = nil) throws {
        let entries = stateDict().map { key, tensor in tensor.safeTensorsEntry(name: prefix.map { "\($0).\(key)" } ?? key) }
        do { try SafeTensorsFile.write(entries: entries, to: url) } catch { throw CheckpointError.file(error) }
    }

    /// Loads weights from a safetensors file — one written by `saveSafetensors`, or by Python
    /// (`safetensors.torch.save_file(model.state_dict(), path)`) for the same architecture.
    /// With `prefix`, only keys under `prefix.` are used (with the prefix removed). Everything is
    /// validated first, as in `loadStateDict(_:strict:)`; nothing changes on failure.
    @discardableResult
    public func loadSafetensors(from url: URL, prefix: String? = nil, strict: Bool = true) throws -> LoadStateDictResult {
        let archive: SafeTensorsArchive
        do { archive = try SafeTensorsFile.read(from: url) } catch { throw CheckpointError.file(error) }
        var sd = StateDict()
        for entry in archive.entries {
            var name = entry.name
            if let prefix {
                guard name.hasPrefix(prefix + ".") else { continue }
                name.removeFirst(prefix.count + 1)
            }
            do { sd[name] = try Tensor(safeTensorsEntry: entry) } catch {
                throw CheckpointError.invalidValue(path: url.path, key: entry.name, reason: "\(error)")
            }
        }
        return try loadStateDict(sd, strict: strict)
    }
}
