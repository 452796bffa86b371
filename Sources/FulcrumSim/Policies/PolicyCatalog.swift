import Foundation
import FulcrumCore

/// Turns a policy name from the command line into a policy.
public enum PolicyCatalog {
    /// Every name `policy(named:)` accepts, as shown in help and errors.
    public static let names = ["fulcrum", "static:P:D", "dynamo-sla", "dynamo-load", "aiconfigurator", "hindsight-mean", "hindsight-lead[:U]"]
    /// Former names still accepted, and the name each now stands for. `oracle` was renamed
    /// because per-window means with instant starts are not a bound (docs/baselines.md).
    public static let deprecatedAliases = ["oracle": "hindsight-mean"]

    public static func policy(named given: String) throws(PolicyNameError) -> any ScalingPolicy {
        let name = deprecatedAliases[given] ?? given
        switch name {
        case "fulcrum": return FulcrumPolicy()
        case "dynamo-sla": return DynamoSLAPolicy()
        case "dynamo-load": return DynamoLoadPolicy()
        case "aiconfigurator": return AIConfiguratorPolicy()
        case "hindsight-mean": return HindsightMeanPolicy()
        case "hindsight-lead": return HindsightMeanPolicy(paysStartups: true)
        default:
            let parts = name.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == "hindsight-lead", let share = Double(parts[1]), share > 0, share <= 1 {
                return HindsightMeanPolicy(utilisation: PerRole(repeating: share), paysStartups: true)
            }
            // Both roles need an instance: with none, every request fails in that phase.
            if parts.count == 3, parts[0] == "static", let prefill = Int(parts[1]), let decode = Int(parts[2]),
               (1...100_000).contains(prefill), (1...100_000).contains(decode) {
                return StaticPolicy(prefill: prefill, decode: decode)
            }
            throw PolicyNameError(name: given)
        }
    }

    /// Parses a comma-separated list, reporting the first unknown name.
    public static func policies(named list: String) throws(PolicyNameError) -> [any ScalingPolicy] {
        var policies: [any ScalingPolicy] = []
        for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            policies.append(try policy(named: name))
        }
        return policies
    }
}

public struct PolicyNameError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String

    public var description: String {
        if name.hasPrefix("hindsight-lead:") {
            return "policy \"\(name)\" needs a planned utilisation above 0 and at most 1 after the colon, e.g. hindsight-lead:0.7."
        }
        if name.hasPrefix("static:") {
            return "policy \"\(name)\" needs two whole instance counts of at least 1 (a role with none serves no request), e.g. static:2:6."
        }
        return "unknown policy \"\(name)\"; use one of \(PolicyCatalog.names.joined(separator: ", ")) (static:P:D takes instance counts, e.g. static:2:6; hindsight-lead:U a planned utilisation above 0 and at most 1, e.g. hindsight-lead:0.7)."
    }
}
