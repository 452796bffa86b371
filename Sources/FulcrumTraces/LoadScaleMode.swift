/// Where `TraceTransform.loadScale` puts the copies it adds.
///
/// Replaying a trace K times is meant to stand for K times the users. Independent users do not
/// arrive in lock-step, so the evaluation default spreads copies over minutes; the clumped form
/// keeps each request's copies together and so multiplies the index of dispersion of arrivals by
/// about K (a stress case for burst handling, not a model of more users).
public enum LoadScaleMode: String, Sendable, Equatable, CaseIterable {
    /// Copies spread over ±`spreadHalfWidthSeconds` of the original, one per equal slice of that
    /// window (jittered within it), so a request's copies rarely share a short window: a
    /// Poisson-like trace stays Poisson-like (dispersion per 10 s ≈ 1.2 at ×8, not 8).
    case spread
    /// Copies within ±`clumpHalfWidthSeconds` of the original: K-fold clumps. The same seed gives
    /// the same trace as the single load-scale form of earlier releases.
    case clumped

    /// Half-width of the spread window. A minute is longer than the counting windows a
    /// controller or an SLO looks at (seconds to tens of seconds), so copies decorrelate there,
    /// yet shorter than start-up times and the rate changes a trace is chosen for, which survive.
    public static let spreadHalfWidthSeconds = 60.0

    /// Half-width of the clumped window: enough that copies are not simultaneous, small enough
    /// that they queue together.
    public static let clumpHalfWidthSeconds = 0.5

    /// The half-width of the window copies are placed in.
    public var halfWidthSeconds: Double {
        switch self {
        case .spread: Self.spreadHalfWidthSeconds
        case .clumped: Self.clumpHalfWidthSeconds
        }
    }
}
