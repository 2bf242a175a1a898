/// The contents of a safetensors file: its tensors, in header order, and its string metadata.
///
/// ```swift
/// let archive = try SafeTensorsFile.read(from: url)
/// let weight = try archive["fc1.weight"]?.floatValues()
/// let step = archive.metadata["step"].flatMap(Int.init)
/// ```
public struct SafeTensorsArchive: Equatable, Sendable {
    /// The tensors, in the order their keys appear in the file's header.
    public let entries: [SafeTensorsEntry]
    /// The `__metadata__` map of the file; empty when the file has none.
    public let metadata: [String: String]
    /// Position of each name in `entries`.
    private let positions: [String: Int]

    /// Creates an archive from entries and metadata, for example to write it with
    /// ``SafeTensorsFile/write(_:to:)``.
    ///
    /// - Precondition: no two entries share a name (a programmer error; the file format forbids it).
    public init(entries: [SafeTensorsEntry], metadata: [String: String] = [:]) {
        var positions: [String: Int] = [:]
        positions.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            let previous = positions.updateValue(index, forKey: entry.name)
            precondition(previous == nil, "SafeTensorsArchive: two entries are named \(safeTensorsQuoted(entry.name))")
        }
        self.entries = entries
        self.metadata = metadata
        self.positions = positions
    }

    /// The tensor names, in header order.
    public var names: [String] { entries.map(\.name) }

    /// The number of tensors.
    public var count: Int { entries.count }

    /// The tensor called `name`, or `nil` if the file has none by that name.
    public subscript(name: String) -> SafeTensorsEntry? {
        guard let index = positions[name], entries.indices.contains(index) else { return nil }
        return entries[index]
    }

    /// True if the file has a tensor called `name`.
    public func contains(_ name: String) -> Bool { positions[name] != nil }

    /// Two archives are equal when they hold the same entries in the same order and the same metadata.
    public static func == (left: SafeTensorsArchive, right: SafeTensorsArchive) -> Bool {
        left.entries == right.entries && left.metadata == right.metadata
    }
}
