import Foundation

/// Why a checkpoint could not be saved or restored.
public enum CheckpointError: Error, CustomStringConvertible {
    /// The file could not be read or written, or is not a valid safetensors file.
    case file(SafeTensorsError)
    /// The file is valid but does not fit the objects: every problem is listed, and nothing was changed.
    case incompatible(path: String, problems: [String])
    /// A tensor or value of the file could not be converted.
    case invalidValue(path: String, key: String, reason: String)
    /// Older checkpoints could not be pruned after a successful save.
    case rotation(String)

    public var description: String {
        switch self {
        case .file(let e): return e.description
        case .incompatible(let path, let problems):
            return "checkpoint '\(path)' does not fit the objects to restore (nothing was changed):\n  " + problems.joined(separator: "\n  ")
        case .invalidValue(let path, let key, let reason): return "checkpoint '\(path)': \(key): \(reason)"
        case .rotation(let message): return "checkpoint rotation failed: \(message)"
        }
    }
}

/// What a checkpoint carries besides the objects' state.
public struct CheckpointInfo: Equatable {
    /// Integer counters (step, epoch, ...).
    public var counters: [String: Int]
    /// Free-form user metadata.
    public var metadata: [String: String]
}

/// Saving and restoring training state — any number of modules, optimizers, schedules, random
/// generators and data loaders, plus counters and metadata — in one safetensors file.
///
/// Each object's tensors are stored under its prefix with PyTorch names, so
/// `safetensors.torch.load_file(path)` in Python gives `generator.fc1.weight` and so on:
/// ```swift
/// try Checkpoint.save(to: url, objects: ["generator": g, "discriminator": d, "optG": optG,
///                                        "optD": optD, "rng": Generator.default],
///                     counters: ["step": step, "epoch": epoch])
/// let info = try Checkpoint.load(from: url, into: ["generator": g, "discriminator": d, "optG": optG,
///                                                  "optD": optD, "rng": Generator.default])
/// let step = info.counters["step"] ?? 0
/// ```
/// Saving is atomic (a temporary file in the same folder, flushed, then renamed over the target);
/// loading validates the whole file against every object before changing any of them.
public enum Checkpoint {
    static let formatKey = "ember.format"
    static let objectsKey = "ember.objects"

    /// Writes one checkpoint file atomically.
    public static func save(to url: URL, objects: [String: Checkpointable], counters: [String: Int] = [:],
                            metadata: [String: String] = [:]) throws {
        var entries: [SafeTensorsEntry] = []
        var meta: [String: String] = [formatKey: "1", objectsKey: objects.keys.sorted().joined(separator: ",")]
        for (prefix, object) in objects.sorted(by: { $0.key < $1.key }) {
            let payload = object.checkpointPayload()
            for (name, tensor) in payload.tensors { entries.append(tensor.safeTensorsEntry(name: "\(prefix).\(name)")) }
            for (key, value) in payload.metadata { meta["\(prefix).\(key)"] = value }
        }
        for (k, v) in counters { meta["counter.\(k)"] = String(v) }
        for (k, v) in metadata { meta["user.\(k)"] = v }
        do { try SafeTensorsFile.write(entries: entries, metadata: meta, to: url) } catch { throw CheckpointError.file(error) }
    }

    /// Writes `<directory>/ckpt-<step>.safetensors` and deletes all but the newest `keepLast`
    /// such files. Returns the URL written.
    @discardableResult
    public static func save(inDirectory directory: URL, step: Int, keepLast: Int, objects: [String: Checkpointable],
                            counters: [String: Int] = [:], metadata: [String: String] = [:]) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let rotation = CheckpointRotation(directory: directory, keep: keepLast)
        let url = rotation.url(forStep: step)
        var c = counters
        if c["step"] == nil { c["step"] = step }
        try save(to: url, objects: objects, counters: c, metadata: metadata)
        do { _ = try rotation.prune() } catch { throw CheckpointError.rotation("\(error)") }
        return url
    }

    /// Restores every object from a checkpoint file, all or nothing.
    ///
    /// With `strict` (the default) a missing object, a missing or unexpected tensor, a shape or
    /// dtype mismatch, or an object in the file that is not being restored is an error. Every
    /// problem is reported in one thrown `CheckpointError.incompatible`, and no object changes.
    @discardableResult
    public static func load(from url: URL, into objects: [String: Checkpointable], strict: Bool = true) throws -> CheckpointInfo {
        let archive: SafeTensorsArchive
        do { archive = try SafeTensorsFile.read(from: url) } catch { throw CheckpointError.file(error) }
        let path = url.path
        var payloads: [String: CheckpointPayload] = [:]
        var problems: [String] = []
        let declared = archive.metadata[objectsKey].map { $0.split(separator: ",").map(String.init) }
        let prefixes = Set(objects.keys)
        for prefix in prefixes { payloads[prefix] = CheckpointPayload() }
        // Longest prefix first, so that "gen" and "generator" do not capture each other's keys.
        let ordered = prefixes.sorted { $0.count > $1.count }
        var unclaimed: [String] = []
        for entry in archive.entries {
            guard let prefix = ordered.first(where: { entry.name.hasPrefix($0 + ".") }) else { unclaimed.append(entry.name); continue }
            do {
                payloads[prefix]!.tensors[String(entry.name.dropFirst(prefix.count + 1))] = try Tensor(safeTensorsEntry: entry)
            } catch {
                problems.append("tensor \(entry.name): \(error)")
            }
        }
        for (key, value) in archive.metadata {
            if let prefix = ordered.first(where: { key.hasPrefix($0 + ".") }) {
                payloads[prefix]!.metadata[String(key.dropFirst(prefix.count + 1))] = value
            }
        }
        if let declared {
            for prefix in prefixes.sorted() where !declared.contains(prefix) {
                problems.append("the checkpoint has no object \"\(prefix)\" (it holds: \(declared.joined(separator: ", ")))")
            }
            if strict {
                for d in declared where !prefixes.contains(d) { problems.append("the checkpoint holds an object \"\(d)\" that is not being restored") }
            }
        }
        if strict && !unclaimed.isEmpty && declared == nil {
            problems.append("unexpected tensors: " + unclaimed.prefix(10).joined(separator: ", "))
        }
        for prefix in prefixes.sorted() where declared?.contains(prefix) ?? true {
            for p in objects[prefix]!.checkpointProblems(payloads[prefix]!, strict: strict) { problems.append("\(prefix): \(p)") }
        }
        var info = CheckpointInfo(counters: [:], metadata: [:])
        for (k, v) in archive.metadata {
            if k.hasPrefix("counter.") {
                guard let n = Int(v) else { problems.append("counter \(k): \"\(v)\" is not an integer"); continue }
                info.counters[String(k.dropFirst(8))] = n
            } else if k.hasPrefix("user.") {
                info.metadata[String(k.dropFirst(5))] = v
            }
        }
        if !problems.isEmpty { throw CheckpointError.incompatible(path: path, problems: problems) }
        for prefix in prefixes.sorted() where declared?.contains(prefix) ?? true {
            objects[prefix]!.restoreCheckpoint(payloads[prefix]!)
        }
        return info
    }

    /// The newest `ckpt-<step>.safetensors` in `directory`, or nil.
    public static func latest(inDirectory directory: URL) -> URL? {
        (try? CheckpointRotation(directory: directory, keep: 1).latest())??.url
    }
}
