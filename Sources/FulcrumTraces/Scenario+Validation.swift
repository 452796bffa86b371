extension Scenario {
    /// The longest a scenario runs: as long as a trace may span (`TraceReader.longestSpanSeconds`).
    static let longestDurationSeconds = TraceReader.longestSpanSeconds
    /// Far above any real service, low enough that counts and sizes stay exact integers.
    static let highestRateRPS = 1e6
    static let longestPromptTokens = Double(TraceRequest.mostTokens)

    /// Checks every parameter is in range, so generation never loops forever, traps on an
    /// impossible conversion, or emits garbage. Upper bounds matter as much as lower ones: a
    /// `1e300` or a `1e-300` typed for a rate or a time is caught here, not deep in a sampler.
    /// `source` (file or built-in name) prefixes the error; it defaults to the scenario's name.
    public func validate(source: String? = nil) throws(ScenarioError) {
        let source = source ?? name
        func require(_ value: Double, in range: ClosedRange<Double>, _ path: String) throws(ScenarioError) {
            guard value.isFinite, range.contains(value) else {
                throw ScenarioError(source: source, problem: "\(path) must be from \(range.lowerBound.compactText) to \(range.upperBound.compactText), found \(value.compactText)")
            }
        }
        func requireAbove(_ value: Double, _ floor: Double, atMost ceiling: Double, _ path: String) throws(ScenarioError) {
            guard value.isFinite, value > floor, value <= ceiling else {
                throw ScenarioError(source: source, problem: "\(path) must be greater than \(floor.compactText) and at most \(ceiling.compactText), found \(value.compactText)")
            }
        }
        if let sessions { try validate(sessions, require: require) }
        guard !phases.isEmpty else {
            throw ScenarioError(source: source, problem: "phases is empty; expected at least one phase")
        }
        for (index, phase) in phases.enumerated() {
            let at = "phases[\(index)]"
            try requireAbove(phase.durationSeconds, 0, atMost: Self.longestDurationSeconds, "\(at).duration_s")
            try validate(phase.arrival, at: "\(at).arrival", require: require, requireAbove: requireAbove)
            if let end = phase.rateEndRPS { try require(end, in: 0...Self.highestRateRPS, "\(at).rate_end_rps") }
            if let cycle = phase.dailyCycle {
                try require(cycle.amplitude, in: 0...1, "\(at).daily_cycle.amplitude")
                try requireAbove(cycle.periodSeconds, 0, atMost: Self.longestDurationSeconds, "\(at).daily_cycle.period_s")
            }
            if let drift = phase.drift {
                try require(drift.ratio, in: 1...1e6, "\(at).drift.ratio")
                try require(drift.stepSeconds, in: 1...Self.longestDurationSeconds, "\(at).drift.step_s")
            }
            if let tick = phase.tickSeconds { try require(tick, in: 0.001...86_400, "\(at).tick_s") }
            for (key, lengths) in [("input", phase.input), ("output", phase.output)] {
                try require(lengths.mean, in: 1...Self.longestPromptTokens, "\(at).\(key).mean")
                try require(lengths.cv, in: 0...100, "\(at).\(key).cv")
                try require(Double(lengths.max), in: 1...Self.longestPromptTokens, "\(at).\(key).max")
            }
        }
    }

    private func validate(
        _ arrival: ArrivalProcess, at: String,
        require: (Double, ClosedRange<Double>, String) throws(ScenarioError) -> Void,
        requireAbove: (Double, Double, Double, String) throws(ScenarioError) -> Void
    ) throws(ScenarioError) {
        let rates = 0...Self.highestRateRPS
        switch arrival {
        case .poisson(let rate):
            try require(rate, rates, "\(at).rate_rps")
        case .gamma(let rate, let cv):
            try require(rate, rates, "\(at).rate_rps")
            try require(cv, 0.01...100, "\(at).cv")
        case .onOff(let rate, let on, let off):
            try require(rate, rates, "\(at).on_rate_rps")
            try require(on, 0.01...Self.longestDurationSeconds, "\(at).on_s")
            try require(off, 0...Self.longestDurationSeconds, "\(at).off_s")
        case .bursts(let rate, let onFraction, let meanOn, let offTail, let batchMean):
            try require(rate, rates, "\(at).rate_rps")
            try requireAbove(onFraction, 0, 1, "\(at).on_fraction")
            try require(meanOn, 0.01...Self.longestDurationSeconds, "\(at).mean_on_s")
            try requireAbove(offTail, 1, 100, "\(at).off_tail")
            try require(batchMean, 1...10_000, "\(at).batch_mean")
        }
    }

    private func validate(_ sessions: ConversationSessions,
                          require: (Double, ClosedRange<Double>, String) throws(ScenarioError) -> Void) throws(ScenarioError) {
        try require(sessions.turnsMean, 1...1000, "sessions.turns_mean")
        try require(Double(sessions.systemPrompts), 1...1e6, "sessions.system_prompts")
        try require(Double(sessions.systemPromptTokens), 0...Self.longestPromptTokens, "sessions.system_prompt_tokens")
        try require(Double(sessions.maxContextTokens), Double(sessions.systemPromptTokens + 1)...Self.longestPromptTokens, "sessions.max_context_tokens")
        try require(sessions.turnGapSeconds, 0...Self.longestDurationSeconds, "sessions.turn_gap_s")
    }
}
