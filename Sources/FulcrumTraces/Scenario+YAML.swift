import Foundation
import Yams

extension Scenario {
    /// Parses and validates a scenario written in YAML; `sourceName` names it in error messages.
    public static func load(yaml: String, sourceName: String = "scenario") throws(ScenarioError) -> Scenario {
        let scenario: Scenario
        do {
            scenario = try YAMLDecoder().decode(Scenario.self, from: yaml)
        } catch let error as DecodingError {
            throw ScenarioError(source: sourceName, problem: describe(error))
        } catch {
            throw ScenarioError(source: sourceName, problem: invalidYAML(error))
        }
        try scenario.validate(source: sourceName)
        return scenario
    }

    /// Reads, parses and validates the YAML scenario file at `path`.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(source: path, problem: "cannot read the scenario file")
        }
        return try load(yaml: text, sourceName: path)
    }

    /// The scenario as YAML that `load(yaml:)` reads back to an equal scenario, e.g. to show a
    /// built-in as the starting point for a custom file.
    ///
    /// Written by hand rather than with `YAMLEncoder`, which prints every number in scientific
    /// notation (`duration_s: 1.2e+3`); this keeps files readable and in the documented layout.
    public func yamlText() -> String {
        func number(_ value: Double) -> String { value.compactText }
        func lengths(_ distribution: LengthDistribution) -> String {
            "{ mean: \(number(distribution.mean)), cv: \(number(distribution.cv)), max: \(distribution.max) }"
        }
        let escapedName = name.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        var lines = ["name: \"\(escapedName)\""]
        if let sessions {
            lines.append("sessions: { turns_mean: \(number(sessions.turnsMean)), system_prompts: \(sessions.systemPrompts), "
                + "system_prompt_tokens: \(sessions.systemPromptTokens), max_context_tokens: \(sessions.maxContextTokens), "
                + "turn_gap_s: \(number(sessions.turnGapSeconds)) }")
        }
        lines.append("phases:")
        for phase in phases {
            lines.append("  - duration_s: \(number(phase.durationSeconds))")
            switch phase.arrival {
            case .poisson(let rate):
                lines.append("    arrival: { process: poisson, rate_rps: \(number(rate)) }")
            case .gamma(let rate, let cv):
                lines.append("    arrival: { process: gamma, rate_rps: \(number(rate)), cv: \(number(cv)) }")
            case .onOff(let rate, let on, let off):
                lines.append("    arrival: { process: onoff, on_rate_rps: \(number(rate)), on_s: \(number(on)), off_s: \(number(off)) }")
            case .bursts(let rate, let onFraction, let meanOn, let offTail, let batchMean):
                lines.append("    arrival: { process: bursts, rate_rps: \(number(rate)), on_fraction: \(number(onFraction)), "
                    + "mean_on_s: \(number(meanOn)), off_tail: \(number(offTail)), batch_mean: \(number(batchMean)) }")
            }
            if let end = phase.rateEndRPS {
                lines.append("    rate_end_rps: \(number(end))")
            }
            if let cycle = phase.dailyCycle {
                lines.append("    daily_cycle: { amplitude: \(number(cycle.amplitude)), period_s: \(number(cycle.periodSeconds)) }")
            }
            if let drift = phase.drift {
                lines.append("    drift: { ratio: \(number(drift.ratio)), step_s: \(number(drift.stepSeconds)) }")
            }
            if let tick = phase.tickSeconds {
                lines.append("    tick_s: \(number(tick))")
            }
            lines.append("    input: \(lengths(phase.input))")
            lines.append("    output: \(lengths(phase.output))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Yams' syntax errors span several lines (with a caret under the column); the first line
    /// already holds the position and the reason, which is what a one-sentence error needs.
    private static func invalidYAML(_ error: any Error) -> String {
        let firstLine = String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
        return "invalid YAML (\(firstLine.trimmingCharacters(in: .whitespaces)))"
    }

    /// Turns a decoding failure into `phases[1].arrival: missing key "rate_rps"`-style text.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.reduce(into: "") { text, key in
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text.isEmpty ? "top level" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath)): missing key \"\(key.stringValue)\""
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected a value of type \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected a value of type \(type), found nothing"
        case .dataCorrupted(let context):
            // Yams reports syntax errors as corrupted data wrapping its own `YamlError`.
            if let underlying = context.underlyingError {
                return invalidYAML(underlying)
            }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "invalid scenario (\(error))"
        }
    }
}
