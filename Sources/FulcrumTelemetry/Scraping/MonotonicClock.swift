/// Elapsed time and sleeping, taken from an injected `Clock` so that tests and benchmarks can
/// choose it; the scraper never reads a clock of its own.
public struct MonotonicClock: Sendable {
    /// Time since this value was made.
    public let elapsed: @Sendable () -> Duration
    /// Sleeps until `elapsed()` reaches the given value.
    public let sleepUntil: @Sendable (Duration) async throws -> Void

    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleepUntil = { target in try await clock.sleep(until: origin.advanced(by: target), tolerance: nil) }
    }

    public static var continuous: MonotonicClock { MonotonicClock(ContinuousClock()) }
}
