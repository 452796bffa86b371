import Foundation
import FulcrumFileInput
import Yams

extension Scenario {
    /// Parses and validates a scenario written in YAML; `sourceName` names it in error messages.
    public static func load(yaml: String, sourceName: String = "scenario") throws(ScenarioError) -> Scenario {
        let scenario: Scenario
        do {
            scenario = try YAMLDecoder().decode(Scenario.self, from: yaml)
        } catch let error as DecodingError {
            throw ScenarioError(source: sourceName, problem: DecodingProblem(error).sentence)
        } catch let error as YamlError {
            throw ScenarioError(source: sourceName, problem: DecodingProblem(error).sentence)
        } catch {
            throw ScenarioError(source: sourceName, problem: "the document cannot be read as YAML (\(error))")
        }
        try scenario.validate(source: sourceName)
        return scenario
    }

    /// Reads, parses and validates the YAML scenario file at `path`.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let text: String
        do {
            text = try InputFile.text(at: path)
        } catch {
            throw ScenarioError(source: path, problem: "the scenario file cannot be read because \(error.reason)")
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
}
