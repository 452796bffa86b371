import RealModule

/// The weight a sample taken `seconds` after the last one gets in an exponential average with
/// `timeConstant`: `α = 1 − e^(−Δt/τ)`, the one rule every smoother here weighs by.
func smoothingWeight(seconds: Double, timeConstant: Double) -> Double {
    1 - Double.exp(-seconds / max(timeConstant, 1e-9))
}

/// Holt's linear smoothing (level and trend) for samples at irregular intervals.
///
/// Ticks are not evenly spaced (a slow scrape, a reload), so the smoothing weights come from
/// time constants: `α = 1 − e^(−Δt/τ)`. A level time constant of 30 s follows a step in
/// traffic within about a minute without chasing every burst.
public struct HoltSmoother: Sendable, Hashable, Codable {
    public var levelTimeConstant: Double
    public var trendTimeConstant: Double
    public private(set) var level: Double?
    /// Units per second.
    public private(set) var trend: Double = 0
    public private(set) var lastUpdate: Timestamp?

    public init(levelTimeConstant: Double, trendTimeConstant: Double) {
        self.levelTimeConstant = levelTimeConstant
        self.trendTimeConstant = trendTimeConstant
    }

    public mutating func add(_ observation: Double, at time: Timestamp) {
        guard observation.isFinite else { return }
        guard let previousLevel = level, let previousTime = lastUpdate else {
            level = observation
            lastUpdate = time
            return
        }
        let elapsed = time - previousTime
        guard elapsed > 0 else { return }
        let alpha = smoothingWeight(seconds: elapsed, timeConstant: levelTimeConstant)
        let beta = smoothingWeight(seconds: elapsed, timeConstant: trendTimeConstant)
        let predicted = previousLevel + trend * elapsed
        let newLevel = alpha * observation + (1 - alpha) * predicted
        trend = beta * (newLevel - previousLevel) / elapsed + (1 - beta) * trend
        // A falling trend must not carry a rate below zero through a lull of no arrivals.
        level = max(0, newLevel)
        lastUpdate = time
    }

    /// The level expected `horizon` seconds ahead, never negative.
    public func forecast(horizon: Double) -> Double? {
        guard let level else { return nil }
        return max(0, level + trend * max(0, horizon))
    }
}

/// An exponentially weighted mean over irregular samples, with weights from a time constant.
public struct TimeWeightedAverage: Sendable, Hashable, Codable {
    public var timeConstant: Double
    public private(set) var value: Double?
    public private(set) var lastUpdate: Timestamp?

    public init(timeConstant: Double) {
        self.timeConstant = timeConstant
    }

    public mutating func add(_ observation: Double, at time: Timestamp) {
        add(observation, weighingSeconds: lastUpdate.map { max(0, time - $0) }, at: time)
    }

    /// Adds an observation that speaks for `seconds` (nil: it is the first), however long
    /// ago the last one came: a sample measured over one tick after idle minutes, with no
    /// samples between, speaks for that tick, not for the minutes.
    public mutating func add(_ observation: Double, weighingSeconds seconds: Double?, at time: Timestamp) {
        guard observation.isFinite else { return }
        guard let current = value, let seconds else {
            value = observation
            lastUpdate = time
            return
        }
        let alpha = smoothingWeight(seconds: max(0, seconds), timeConstant: timeConstant)
        value = alpha * observation + (1 - alpha) * current
        lastUpdate = time
    }
}

/// A smoother's one-step forecast errors, averaged: their mean and mean absolute value.
public struct ForecastErrors: Sendable, Hashable, Codable {
    public var mean: Double
    public var meanAbsolute: Double

    /// Trigg's tracking signal, mean ÷ mean absolute error: near 0 while the errors are noise
    /// around the level, near 1 while the level keeps falling short of a rise (−1, of a fall).
    public var trackingSignal: Double? {
        meanAbsolute > 0 ? mean / meanAbsolute : nil
    }
}
