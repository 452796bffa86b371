extension Scenario {
    /// Checks every parameter is in range, so generation never loops forever or emits garbage.
    /// `source` (file or built-in name) prefixes the error; it defaults to the scenario's name.
    public func validate(source: String? = nil) throws(ScenarioError) {
        let source = source ?? name
        func require(_ condition: Bool, _ path: String, _ expectation: String, _ value: Double) throws(ScenarioError) {
            guard condition, value.isFinite else {
                throw ScenarioError(source: source, problem: "\(path) must be \(expectation), found \(value.compactText)")
            }
        }
        if let sessions {
            try require(sessions.turnsMean >= 1, "sessions.turns_mean", "at least 1", sessions.turnsMean)
            try require(sessions.systemPrompts >= 1, "sessions.system_prompts", "at least 1", Double(sessions.systemPrompts))
            try require(sessions.systemPromptTokens >= 0, "sessions.system_prompt_tokens", "at least 0", Double(sessions.systemPromptTokens))
            try require(sessions.maxContextTokens > sessions.systemPromptTokens, "sessions.max_context_tokens",
                        "more than system_prompt_tokens", Double(sessions.maxContextTokens))
            try require(sessions.turnGapSeconds >= 0, "sessions.turn_gap_s", "at least 0", sessions.turnGapSeconds)
        }
        guard !phases.isEmpty else {
            throw ScenarioError(source: source, problem: "phases is empty; expected at least one phase")
        }
        for (index, phase) in phases.enumerated() {
            let at = "phases[\(index)]"
            try require(phase.durationSeconds > 0, "\(at).duration_s", "greater than 0", phase.durationSeconds)
            switch phase.arrival {
            case .poisson(let rate):
                try require(rate >= 0, "\(at).arrival.rate_rps", "at least 0", rate)
            case .gamma(let rate, let cv):
                try require(rate >= 0, "\(at).arrival.rate_rps", "at least 0", rate)
                try require(cv > 0, "\(at).arrival.cv", "greater than 0", cv)
            case .onOff(let rate, let on, let off):
                try require(rate >= 0, "\(at).arrival.on_rate_rps", "at least 0", rate)
                try require(on > 0, "\(at).arrival.on_s", "greater than 0", on)
                try require(off >= 0, "\(at).arrival.off_s", "at least 0", off)
            case .bursts(let rate, let onFraction, let meanOn, let offTail, let batchMean):
                try require(rate >= 0, "\(at).arrival.rate_rps", "at least 0", rate)
                try require(onFraction > 0 && onFraction <= 1, "\(at).arrival.on_fraction", "greater than 0 and at most 1", onFraction)
                try require(meanOn > 0, "\(at).arrival.mean_on_s", "greater than 0", meanOn)
                try require(offTail > 1, "\(at).arrival.off_tail", "greater than 1 (a finite mean idle time)", offTail)
                try require(batchMean >= 1, "\(at).arrival.batch_mean", "at least 1", batchMean)
            }
            if let end = phase.rateEndRPS {
                try require(end >= 0, "\(at).rate_end_rps", "at least 0", end)
            }
            if let cycle = phase.dailyCycle {
                try require((0...1).contains(cycle.amplitude), "\(at).daily_cycle.amplitude", "between 0 and 1", cycle.amplitude)
                try require(cycle.periodSeconds > 0, "\(at).daily_cycle.period_s", "greater than 0", cycle.periodSeconds)
            }
            if let drift = phase.drift {
                try require(drift.ratio >= 1, "\(at).drift.ratio", "at least 1", drift.ratio)
                try require(drift.stepSeconds > 0, "\(at).drift.step_s", "greater than 0", drift.stepSeconds)
            }
            if let tick = phase.tickSeconds {
                try require(tick > 0, "\(at).tick_s", "greater than 0", tick)
            }
            for (key, lengths) in [("input", phase.input), ("output", phase.output)] {
                try require(lengths.mean >= 1, "\(at).\(key).mean", "at least 1", lengths.mean)
                try require(lengths.cv >= 0, "\(at).\(key).cv", "at least 0", lengths.cv)
                try require(lengths.max >= 1, "\(at).\(key).max", "at least 1", Double(lengths.max))
            }
        }
    }
}
