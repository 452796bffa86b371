import ArgumentParser
import FulcrumConfiguration

/// The checks and wording every fulcrum-sim command gives a flag that sets a controller
/// setting; the limits are the configuration file's (`SettingRules`).
enum SettingFlags {
    /// A duration flag (`--ttft`, `--tpot`, `--startup`): seconds, as the file's durations.
    static func checkSeconds(_ value: Double?, flag: String) throws {
        guard let value, !SettingRules.isDuration(value) else { return }
        throw ValidationError("\(flag) \(value) must be a number of seconds above 0 and at most \(Int(SettingRules.longestDurationSeconds)).")
    }

    static func checkPercentile(_ value: Double?) throws {
        guard let value, !SettingRules.sloPercentile.contains(value) else { return }
        throw ValidationError("--slo-percentile \(value) must lie between \(SettingRules.sloPercentile.lowerBound) and \(SettingRules.sloPercentile.upperBound), e.g. 0.99.")
    }

    static func checkGPUs(_ value: Int?, flag: String, within range: ClosedRange<Int>) throws {
        guard let value, !range.contains(value) else { return }
        throw ValidationError("\(flag) \(value) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
    }
}
