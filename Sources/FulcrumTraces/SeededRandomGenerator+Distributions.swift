import Foundation

/// Sampling helpers implemented here, not borrowed from the standard library, so that a seed maps
/// to the same samples on every platform and Swift version.
extension SeededRandomGenerator {
    /// Uniform in [0, 1), using the top 53 bits (every representable multiple of 2⁻⁵³ equally likely).
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [lower, upper).
    public mutating func nextUniform(from lower: Double, to upper: Double) -> Double {
        lower + (upper - lower) * nextUnit()
    }

    /// Exponentially distributed with the given mean (inter-arrival gap of a Poisson process).
    public mutating func nextExponential(mean: Double) -> Double {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        -mean * log(1 - nextUnit())
    }

    /// Standard normal (mean 0, standard deviation 1), by the Box–Muller transform.
    public mutating func nextStandardNormal() -> Double {
        let radius = (-2 * log(1 - nextUnit())).squareRoot()
        return radius * cos(2 * Double.pi * nextUnit())
    }

    /// Gamma distributed with the given shape (k > 0) and scale (θ > 0): mean kθ, CV 1/√k.
    ///
    /// Marsaglia & Tsang (2000); shapes below 1 use the boost Gamma(k) = Gamma(k + 1) · U^(1/k).
    public mutating func nextGamma(shape: Double, scale: Double) -> Double {
        precondition(shape > 0 && scale > 0, "gamma shape and scale must be positive")
        if shape < 1 {
            let boosted = nextGamma(shape: shape + 1, scale: scale)
            return boosted * pow(1 - nextUnit(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = nextStandardNormal()
            let base = 1 + c * x
            guard base > 0 else { continue }
            let v = base * base * base
            let u = nextUnit()
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) {
                return d * v * scale
            }
        }
    }

    /// Log-normally distributed with the given mean and coefficient of variation (CV = σ/mean of the
    /// sample itself, not of its logarithm); CV 0 returns the mean.
    public mutating func nextLognormal(mean: Double, cv: Double) -> Double {
        guard cv > 0 else { return mean }
        let logVariance = log(1 + cv * cv)
        let logMean = log(mean) - logVariance / 2
        return exp(logMean + logVariance.squareRoot() * nextStandardNormal())
    }

    /// Lomax (Pareto type II, starting at 0) with the given mean and tail index α > 1:
    /// P(X > x) = (1 + x/λ)^−α with λ = mean · (α − 1). Most draws are short and a few are very
    /// long, like idle stretches between bursts of use; the variance is infinite for α ≤ 2.
    public mutating func nextLomax(mean: Double, tail: Double) -> Double {
        let scale = mean * (tail - 1)
        return scale * (pow(1 - nextUnit(), -1 / tail) - 1)
    }

    /// Geometric on 1, 2, 3, … with the given mean (≥ 1), by inversion: a batch size with as many
    /// singles as the mean allows and an exponential tail.
    public mutating func nextGeometric(mean: Double) -> Int {
        guard mean > 1 else { return 1 }
        let continuation = 1 - 1 / mean
        return 1 + Int((log(1 - nextUnit()) / log(continuation)).rounded(.down))
    }
}
