// Cyclic redundancy checks: CRC-32 (IEEE 802.3, used by PNG, gzip and zip) and CRC-32C
// (Castagnoli, used by TFRecord / TensorBoard event files, in its "masked" form).

import CZlib
import Foundation

/// CRC-32 with the IEEE polynomial (reflected `0xEDB88320`, initial value and final xor
/// `0xFFFFFFFF`), the checksum of PNG chunks, gzip and zip. Check value:
/// `CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926`.
///
/// Use ``checksum(_:)`` for one buffer, or ``update(_:)`` repeatedly and read ``value``
/// for data that arrives in pieces.
public struct CRC32: Sendable, Equatable {
    /// The checksum of everything passed to ``update(_:)`` so far (0 for no data).
    public private(set) var value: UInt32 = 0

    /// Starts an empty checksum.
    public init() {}

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            var crc = UInt(value)
            var offset = 0
            while offset < raw.count {
                let n = min(raw.count - offset, 1 << 30)
                crc = crc32(crc, base + offset, UInt32(n))
                offset += n
            }
            value = UInt32(truncatingIfNeeded: crc)
        }
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: some ContiguousBytes) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}

/// CRC-32C (Castagnoli: reflected polynomial `0x82F63B78`, initial value and final xor
/// `0xFFFFFFFF`), the checksum of TFRecord files such as TensorBoard event logs.
/// Check value: `CRC32C.checksum(Array("123456789".utf8)) == 0xE3069283`.
public struct CRC32C: Sendable, Equatable {
    /// The checksum of everything passed to ``update(_:)`` so far (0 for no data).
    public private(set) var value: UInt32 = 0

    /// Starts an empty checksum.
    public init() {}

    /// Eight 256-entry tables for the slicing-by-8 algorithm (table 0 is the classic byte table).
    private static let tables: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            table[i] = crc
        }
        for i in 0..<256 {
            for t in 1..<8 {
                let previous = table[(t - 1) * 256 + i]
                table[t * 256 + i] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }()

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: some ContiguousBytes) {
        let newValue: UInt32 = bytes.withUnsafeBytes { raw in
            Self.tables.withUnsafeBufferPointer { t in
                var crc = ~value
                var i = 0
                let n = raw.count
                while i + 8 <= n {
                    let lo = UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16
                        | UInt32(raw[i + 3]) << 24
                    let a = crc ^ lo
                    crc = t[7 * 256 + Int(a & 0xFF)] ^ t[6 * 256 + Int((a >> 8) & 0xFF)]
                        ^ t[5 * 256 + Int((a >> 16) & 0xFF)] ^ t[4 * 256 + Int(a >> 24)]
                        ^ t[3 * 256 + Int(raw[i + 4])] ^ t[2 * 256 + Int(raw[i + 5])]
                        ^ t[1 * 256 + Int(raw[i + 6])] ^ t[Int(raw[i + 7])]
                    i += 8
                }
                while i < n {
                    crc = t[Int((crc ^ UInt32(raw[i])) & 0xFF)] ^ (crc >> 8)
                    i += 1
                }
                return ~crc
            }
        }
        value = newValue
    }

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: some ContiguousBytes) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The "masked" CRC-32C that TFRecord stores: `((crc >> 15) | (crc << 17)) &+ 0xA282EAD8`.
    /// Masking keeps the checksum of data that itself contains checksums well distributed.
    /// Check value: `CRC32C.masked(0xE3069283) == 0xC78AB0E5`.
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// The masked CRC-32C of `bytes` (see ``masked(_:)``).
    public static func maskedChecksum(_ bytes: some ContiguousBytes) -> UInt32 {
        masked(checksum(bytes))
    }
}
