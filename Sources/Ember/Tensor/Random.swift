/// A seeded pseudo-random number generator (xoshiro256**) whose state can be read and restored,
/// so that checkpoints can carry it and a resumed run draws the same numbers.
///
/// Every random function takes an optional generator; without one it uses `Generator.default`,
/// which `manualSeed(_:)` reseeds.
public final class Generator {
    /// The four 64-bit words of xoshiro256** state.
    var s: (UInt64, UInt64, UInt64, UInt64)
    /// A second normal deviate left over from the last Box-Muller pair, if any.
    var spareNormal: Double?

    /// The process-wide generator used when no generator is passed.
    nonisolated(unsafe) public static var `default` = Generator(seed: 0x5EED)

    /// A generator seeded with `seed` (expanded to 256 bits with SplitMix64).
    public init(seed: UInt64) {
        s = (0, 0, 0, 0)
        self.seed(seed)
    }

    /// Resets the generator to the state it had right after `init(seed:)`.
    public func seed(_ seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
        spareNormal = nil
    }

    /// The full state, for saving: five words (the last encodes the cached normal deviate).
    public var state: [UInt64] {
        get {
            let spare = spareNormal.map { $0.bitPattern } ?? 0
            return [s.0, s.1, s.2, s.3, spareNormal == nil ? 0 : 1, spare]
        }
        set {
            precondition(newValue.count == 6, "Generator.state: expected 6 words, got \(newValue.count)")
            s = (newValue[0], newValue[1], newValue[2], newValue[3])
            spareNormal = newValue[4] == 0 ? nil : Double(bitPattern: newValue[5])
        }
    }

    @inline(__always) func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform Float in [0, 1) with 24 random bits.
    @inline(__always) func nextFloat() -> Float { Float(next() >> 40) * 0x1p-24 }
    /// A uniform Double in [0, 1) with 53 random bits.
    @inline(__always) func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal deviate (Box-Muller; pairs are used in full).
    @inline(__always) func nextNormal() -> Double {
        if let v = spareNormal { spareNormal = nil; return v }
        var u1 = nextDouble()
        while u1 <= 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        let r = (-2 * Foundation.log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareNormal = r * Foundation.sin(theta)
        return r * Foundation.cos(theta)
    }

    /// A uniform integer in 0..<n.
    @inline(__always) func nextInt(below n: Int) -> Int {
        precondition(n > 0)
        return Int(next() % UInt64(n))  // bias below 2^-40 for the sizes used here
    }
}

import Foundation

/// Seeds the default generator, so that runs are reproducible (PyTorch's `torch.manual_seed`).
public func manualSeed(_ seed: UInt64) {
    Generator.default.seed(seed)
}
