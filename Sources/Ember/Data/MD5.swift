// MD5 message digest (RFC 1321), for checking downloaded files against published checksums.
// Linux has no CryptoKit, and Foundation offers no digest API there, so Ember carries its own.
// MD5 is fine for detecting corrupted or truncated downloads; it is not a security measure.

import Foundation

/// The MD5 digest (RFC 1321) of a byte stream.
///
/// ```swift
/// MD5.hexDigest(of: Array("abc".utf8))       // "900150983cd24fb0d6963f7d28e17f72"
/// try MD5.hexDigest(ofFileAt: url)          // streams the file in 1 MiB pieces
/// ```
/// For data that arrives in pieces, call ``update(_:)`` repeatedly and then ``finalize()``.
public struct MD5: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476)
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    /// Starts an empty digest.
    public init() { pending.reserveCapacity(64) }

    /// Per-round shift amounts.
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

    /// K[i] = floor(|sin(i + 1)| * 2^32), as RFC 1321 defines them.
    private static let constants: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i + 1))) * 4_294_967_296.0).rounded(.down)))
    }

    /// Adds `bytes` to the digest.
    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { raw in
            length &+= UInt64(raw.count)
            var i = 0
            if !pending.isEmpty {
                let take = min(64 - pending.count, raw.count)
                pending.append(contentsOf: raw[0..<take])
                i = take
                if pending.count == 64 {
                    let block = pending
                    block.withUnsafeBytes { processBlock($0.baseAddress!) }
                    pending.removeAll(keepingCapacity: true)
                }
            }
            while i + 64 <= raw.count {
                processBlock(raw.baseAddress! + i)
                i += 64
            }
            if i < raw.count { pending.append(contentsOf: raw[i..<raw.count]) }
        }
    }

    /// Finishes the digest and returns its 16 bytes. The value itself is left unchanged, so
    /// calling it twice gives the same answer.
    public func finalize() -> [UInt8] {
        var copy = self
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let padded = (pending.count + 1) % 64
        tail += [UInt8](repeating: 0, count: padded <= 56 ? 56 - padded : 120 - padded)
        for k in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(k)))) }
        let savedLength = copy.length
        copy.update(tail)
        copy.length = savedLength
        let (a, b, c, d) = copy.state
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for word in [a, b, c, d] {
            for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(k)))) }
        }
        return out
    }

    /// The digest as 32 lowercase hexadecimal digits, the form checksum lists publish.
    public func hexString() -> String {
        finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The MD5 of `bytes`, as 16 bytes.
    public static func digest(_ bytes: some ContiguousBytes) -> [UInt8] {
        var md5 = MD5()
        md5.update(bytes)
        return md5.finalize()
    }

    /// The MD5 of `bytes`, as 32 lowercase hexadecimal digits.
    public static func hexDigest(of bytes: some ContiguousBytes) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return md5.hexString()
    }

    /// The MD5 of the file at `url`, read in 1 MiB pieces, as 32 lowercase hexadecimal digits.
    /// - Throws: the file system's error when the file cannot be opened or read.
    public static func hexDigest(ofFileAt url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var md5 = MD5()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            md5.update(chunk)
        }
        return md5.hexString()
    }

    private mutating func processBlock(_ block: UnsafeRawPointer) {
        var m = [UInt32](repeating: 0, count: 16)
        for j in 0..<16 {
            let p = block + 4 * j
            m[j] = UInt32(p.load(fromByteOffset: 0, as: UInt8.self))
                | UInt32(p.load(fromByteOffset: 1, as: UInt8.self)) << 8
                | UInt32(p.load(fromByteOffset: 2, as: UInt8.self)) << 16
                | UInt32(p.load(fromByteOffset: 3, as: UInt8.self)) << 24
        }
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ Self.constants[i] &+ m[g]
            a = d
            d = c
            c = b
            let s = Self.shifts[(i / 16) * 4 + i % 4]
            b = b &+ ((f << s) | (f >> (32 - s)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
