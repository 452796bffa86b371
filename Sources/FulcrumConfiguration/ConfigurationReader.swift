import FulcrumFileInput
import Yams

/// Walks a YAML document key by key, recording every problem instead of stopping at the first.
///
/// Codable decoding stops at the first error and cannot tell a typo'd key from an absent one;
/// operators editing `/etc/fulcrum/fulcrum.yaml` deserve the whole list at once, each with the
/// key, the value and what is allowed. So the daemon's file is read by hand from Yams' node tree.
public struct ConfigurationReader {
    private(set) var problems: [ConfigurationProblem] = []

    mutating func report(_ key: String, _ node: Node?, _ expected: String) {
        problems.append(ConfigurationProblem(key: key, value: node.flatMap(Self.text), expected: expected, line: node.flatMap(Self.line)))
    }

    mutating func missing(_ key: String, _ expected: String) {
        problems.append(ConfigurationProblem(key: key, expected: "is required; \(expected)"))
    }

    static func text(_ node: Node) -> String? {
        switch node {
        case let .scalar(scalar): scalar.string
        case .mapping: "a mapping"
        case let .sequence(sequence):
            "[" + sequence.map { text($0) ?? "?" }.joined(separator: ", ") + "]"
        case .alias: "an alias"
        }
    }

    static func line(_ node: Node) -> Int? { node.mark.map { $0.line } }

    /// The mapping at `key`, flagging keys not in `allowed` (typos must not be silently ignored).
    mutating func mapping(_ node: Node?, key: String, allowed: Set<String>) -> [String: Node]? {
        guard let node else { return nil }
        guard case let .mapping(mapping) = node else {
            report(key, node, "expected a mapping with keys \(allowed.sorted().joined(separator: ", "))")
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else {
                report(key, keyNode, "keys must be plain strings")
                continue
            }
            if !allowed.contains(name) {
                let path = key.isEmpty ? name : "\(key).\(name)"
                problems.append(ConfigurationProblem(
                    key: path,
                    expected: "is not a known key\(KeySuggestion.didYouMean(name, among: allowed)); allowed here: \(allowed.sorted().joined(separator: ", "))",
                    line: Self.line(keyNode)
                ))
                continue
            }
            result[name] = value
        }
        return result
    }

    mutating func sequence(_ node: Node?, key: String) -> [Node]? {
        guard let node else { return nil }
        guard case let .sequence(sequence) = node else {
            report(key, node, "expected a list")
            return nil
        }
        return Array(sequence)
    }

    mutating func string(_ node: Node?, key: String, allowEmpty: Bool = false) -> String? {
        guard let node else { return nil }
        guard case let .scalar(scalar) = node, allowEmpty || !scalar.string.isEmpty else {
            report(key, node, "expected a non-empty string")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ node: Node?, key: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard case let .scalar(scalar) = node, let value = Int(scalar.string), range.contains(value) else {
            report(key, node, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func double(_ node: Node?, key: String, range: ClosedRange<Double>) -> Double? {
        guard let node else { return nil }
        guard case let .scalar(scalar) = node, let value = Double(scalar.string), value.isFinite, range.contains(value) else {
            report(key, node, "expected a number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node?, key: String) -> Bool? {
        guard let node else { return nil }
        guard case let .scalar(scalar) = node else {
            report(key, node, "expected true or false")
            return nil
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(key, node, "expected true or false")
            return nil
        }
    }

    /// A duration written as `250ms`, `10s`, `5m`, `1h`, or a bare number of seconds.
    mutating func duration(_ node: Node?, key: String, allowZero: Bool = false) -> Double? {
        guard let node else { return nil }
        guard case let .scalar(scalar) = node, let seconds = Self.parseDuration(scalar.string),
              SettingRules.isDuration(seconds, allowZero: allowZero)
        else {
            report(key, node, "expected a \(allowZero ? "non-negative" : "positive") duration such as 500ms, 10s, 5m or 1h, at most 31 years")
            return nil
        }
        return seconds
    }

    public static func parseDuration(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: " ")
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            guard let value = Double(trimmed.dropLast(unit.suffix.count)), value >= 0 else { return nil }
            return value * unit.seconds
        }
        guard let value = Double(trimmed), value >= 0 else { return nil }
        return value
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
