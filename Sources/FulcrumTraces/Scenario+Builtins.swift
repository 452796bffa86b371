extension Scenario {
    /// Names accepted by `builtin(_:)`.
    public static let builtinNames = ["steady", "mix-shift", "mix-step", "ramp", "bursty", "diurnal", "code", "chat", "long-context", "conversation"]

    /// A named, ready-made scenario:
    /// - `steady`: chat (1000 in / 250 out) at 5 rps, Poisson, 600 s.
    /// - `mix-shift`: 3 rps: decode-heavy chat (1000 in / 400 out) for 900 s, drifting over 600 s
    ///   (six 100 s steps) to prefill-heavy long context (8000 in / 100 out) for 900 s, and back
    ///   over 600 s to chat for 900 s — the shift a P/D autoscaler must follow.
    /// - `mix-step`: the same mixes switching instantly (3 × 1200 s): the adversarial case, where
    ///   no policy that pays a start-up time can avoid a burst of misses.
    /// - `ramp`: chat, Poisson rate rising linearly from 1 to 10 rps over 1200 s.
    /// - `bursty`: chat at 5 rps on average with gamma gaps of CV 3, 600 s.
    /// - `diurnal`: chat at 4 rps on average with a day-night cycle (amplitude 0.8) compressed into 3600 s.
    ///
    /// Look-alikes of public production traces, built from their published statistics (never
    /// from the traces themselves, which stay an independent acceptance set), each 3600 s:
    /// - `code`, like Azure's code-completion trace: 2.5 rps on average in bursts of batched
    ///   requests separated by idle stretches of minutes; inter-arrival CV above 10, the busiest
    ///   minute over 6× the mean minute; prompts ≈ 2,000 tokens (heavy tail, cap 8,192), answers
    ///   ≈ 30 tokens, most of them very short.
    /// - `chat`, like Azure's conversation trace: Poisson within a minute (CV ≈ 1) at 5.4 rps on
    ///   average, the rate drifting smoothly so the busiest minute has about 10× the requests of
    ///   the quietest; prompts ≈ 1,100 tokens, answers ≈ 200 (lognormal, CV 1).
    /// - `long-context`, like Mooncake's conversation trace: 3.3 rps on average, arrivals logged
    ///   on 3 s ticks; prompts ≈ 12,000 tokens with p99 ≈ 85,000 (lognormal, cap 126,000),
    ///   answers ≈ 350, independent requests (no shared prefixes).
    /// - `conversation`, like Mooncake's conversation trace with its shared prefixes: the same
    ///   arrivals, conversations of 1.7 turns on average (a turn at least 30 s after the last)
    ///   that re-send their history after one of 8 shared 1,024-token system prompts, user
    ///   messages ≈ 7,000 tokens; prompts average ≈ 12,600 tokens (p99 ≈ 64,000), and 43 % of
    ///   all prompt tokens are prefixes sent before (Mooncake reports 37 %). Written with a
    ///   `hash_ids` column (`csv-prefixes`).
    public static func builtin(_ name: String) throws(ScenarioError) -> Scenario {
        let chat = (input: LengthDistribution(mean: 1000, cv: 0.6), output: LengthDistribution(mean: 250, cv: 0.8, max: 4096))
        let decodeHeavy = (input: LengthDistribution(mean: 1000, cv: 0.5), output: LengthDistribution(mean: 400, cv: 0.6, max: 4096))
        let prefillHeavy = (input: LengthDistribution(mean: 8000, cv: 0.4), output: LengthDistribution(mean: 100, cv: 0.5, max: 4096))

        func phase(_ seconds: Double, _ arrival: ArrivalProcess, _ lengths: (input: LengthDistribution, output: LengthDistribution),
                   rateEnd: Double? = nil, cycle: DailyCycle? = nil, drift: RateDrift? = nil, tick: Double? = nil) -> Phase {
            Phase(durationSeconds: seconds, arrival: arrival, rateEndRPS: rateEnd, dailyCycle: cycle, drift: drift,
                  tickSeconds: tick, input: lengths.input, output: lengths.output)
        }

        switch name {
        case "steady":
            return Scenario(name: name, phases: [phase(600, .poisson(rateRPS: 5), chat)])
        case "mix-shift":
            func blend(_ fraction: Double) -> (input: LengthDistribution, output: LengthDistribution) {
                func mix(_ a: LengthDistribution, _ b: LengthDistribution) -> LengthDistribution {
                    LengthDistribution(mean: a.mean + (b.mean - a.mean) * fraction, cv: a.cv + (b.cv - a.cv) * fraction, max: a.max)
                }
                return (mix(decodeHeavy.input, prefillHeavy.input), mix(decodeHeavy.output, prefillHeavy.output))
            }
            let drift = (1...6).map { phase(100, .poisson(rateRPS: 3), blend(Double($0) / 7)) }
            return Scenario(name: name, phases: [phase(900, .poisson(rateRPS: 3), decodeHeavy)]
                + drift
                + [phase(900, .poisson(rateRPS: 3), prefillHeavy)]
                + drift.reversed()
                + [phase(900, .poisson(rateRPS: 3), decodeHeavy)])
        case "mix-step":
            return Scenario(name: name, phases: [
                phase(1200, .poisson(rateRPS: 3), decodeHeavy),
                phase(1200, .poisson(rateRPS: 3), prefillHeavy),
                phase(1200, .poisson(rateRPS: 3), decodeHeavy),
            ])
        case "ramp":
            return Scenario(name: name, phases: [phase(1200, .poisson(rateRPS: 1), chat, rateEnd: 10)])
        case "bursty":
            return Scenario(name: name, phases: [phase(600, .gamma(rateRPS: 5, cv: 3), chat)])
        case "diurnal":
            return Scenario(name: name, phases: [
                phase(3600, .poisson(rateRPS: 4), chat, cycle: DailyCycle(amplitude: 0.8, periodSeconds: 3600)),
            ])
        case "code":
            let lengths = (input: LengthDistribution(mean: 2000, cv: 1, max: 8192), output: LengthDistribution(mean: 30, cv: 1.5, max: 1024))
            let bursts = ArrivalProcess.bursts(rateRPS: 2.5, onFraction: 0.15, meanOnSeconds: 20, offTail: 3, batchMean: 3)
            return Scenario(name: name, phases: [phase(3600, bursts, lengths)])
        case "chat":
            let lengths = (input: LengthDistribution(mean: 1100, cv: 1), output: LengthDistribution(mean: 200, cv: 1, max: 4096))
            return Scenario(name: name, phases: [
                phase(3600, .poisson(rateRPS: 5.4), lengths, drift: RateDrift(ratio: 10, stepSeconds: 60)),
            ])
        case "long-context":
            // CV 1.54 puts the lognormal's p99 at ≈ 7 × its mean, the ratio Mooncake reports.
            let lengths = (input: LengthDistribution(mean: 12000, cv: 1.54, max: 126_000), output: LengthDistribution(mean: 350, cv: 1, max: 4096))
            return Scenario(name: name, phases: [phase(3600, .poisson(rateRPS: 3.3), lengths, tick: 3)])
        case "conversation":
            let lengths = (input: LengthDistribution(mean: 7000, cv: 1.5, max: 60_000), output: LengthDistribution(mean: 350, cv: 1, max: 4096))
            return Scenario(name: name, phases: [phase(3600, .poisson(rateRPS: 3.3), lengths, tick: 3)],
                            sessions: ConversationSessions(turnsMean: 1.7, systemPrompts: 8, systemPromptTokens: 1_024, maxContextTokens: 126_000))
        default:
            throw ScenarioError(source: nil, problem: "unknown built-in scenario \"\(name)\"; expected one of \(builtinNames.joined(separator: ", "))")
        }
    }
}
