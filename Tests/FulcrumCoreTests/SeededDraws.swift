/// Whole numbers below a bound from a 64-bit linear congruential generator: reproducible draws
/// for property tests that build random fleets and histories from one seed.
struct SeededDraws {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed | 1
    }

    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}
