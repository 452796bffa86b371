/// Start offsets that spread a round's requests over part of the interval.
///
/// Each target's offset is a hash of the seed and its URL, as Prometheus derives a target's
/// offset from its labels: it is stable from round to round, so every target is still scraped
/// exactly one interval apart (the rate estimates rely on that) while the fleet as a whole does
/// not see a thundering herd at the top of each interval. `Hasher` is not used because it is
/// seeded per process; a restarted daemon should keep its spread.
public struct ScrapeJitter: Sendable, Hashable {
    public var window: Duration
    public var seed: UInt64

    public init(window: Duration, seed: UInt64) {
        self.window = window
        self.seed = seed
    }

    public init(configuration: ScraperConfiguration) {
        self.init(window: configuration.interval * configuration.jitterFraction, seed: configuration.jitterSeed)
    }

    /// The delay before `key`'s request, in `[0, window)`.
    public func offset(for key: String) -> Duration {
        guard window > .zero else { return .zero }
        return window * unitInterval(for: key)
    }

    func unitInterval(for key: String) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        // SplitMix64's finaliser: FNV alone leaves similar URLs (…:8001, …:8002) close together.
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        return Double(hash >> 11) / Double(UInt64(1) << 53)
    }
}
