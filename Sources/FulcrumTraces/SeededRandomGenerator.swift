/// A small, fast, seedable random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Fulcrum needs randomness that is identical on every platform and Swift release so that a seed
/// always reproduces the same trace or simulation byte for byte. `SystemRandomNumberGenerator`
/// cannot be seeded, and the standard library's `random(in:using:)` helpers do not promise a stable
/// algorithm, so sampling helpers live in `SeededRandomGenerator+Distributions.swift` as well.
public struct SeededRandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Every seed, including 0, gives a full-quality, distinct stream: SplitMix64 expands the seed
    /// into the 256-bit state so that it is never all zeros (xoshiro's one invalid state).
    public init(seed: UInt64) {
        var splitMix = seed
        state = (Self.splitMix64(&splitMix), Self.splitMix64(&splitMix),
                 Self.splitMix64(&splitMix), Self.splitMix64(&splitMix))
    }

    /// Starts from a raw xoshiro256** state; only for checking against the reference test vectors.
    init(rawState: (UInt64, UInt64, UInt64, UInt64)) {
        state = rawState
    }

    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(state.1 &* 5, by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = Self.rotateLeft(state.3, by: 45)
        return result
    }

    public static func == (lhs: SeededRandomGenerator, rhs: SeededRandomGenerator) -> Bool {
        lhs.state == rhs.state
    }

    /// One step of SplitMix64 (Steele, Lea & Flood), the recommended seeder for the xoshiro family.
    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    private static func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
