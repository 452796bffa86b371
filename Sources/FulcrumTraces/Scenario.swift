import FulcrumCore
import FulcrumStrictDecoding

/// A recipe for a synthetic trace: phases played back to back, each with its own arrival process,
/// optional rate ramp and daily cycle, and request-length distributions.
///
/// Loadable from YAML (see `Scenario.load(yaml:sourceName:)`); keys use the file spelling shown on
/// each property, e.g.
/// ```yaml
/// name: bursty
/// phases:
///   - duration_s: 600
///     arrival: { process: gamma, rate_rps: 5, cv: 3 }
///     input: { mean: 1000, cv: 0.6 }
///     output: { mean: 250, cv: 0.8, max: 4096 }
/// ```
public struct Scenario: Sendable, Equatable, Codable {
    /// `name`; defaults to `"unnamed"` when a YAML file omits it.
    public var name: String
    /// `phases`, in playback order.
    public var phases: [Phase]
    /// `sessions`: multi-turn conversations that re-send their history (see
    /// `ConversationSessions`); nil: independent requests.
    public var sessions: ConversationSessions?

    public init(name: String, phases: [Phase], sessions: ConversationSessions? = nil) {
        self.name = name
        self.phases = phases
        self.sessions = sessions
    }

    /// Total length of the scenario in seconds.
    public var durationSeconds: Double {
        phases.reduce(0) { $0 + $1.durationSeconds }
    }

    /// One stretch of time with a fixed workload shape.
    public struct Phase: Sendable, Equatable, Codable {
        /// `duration_s`.
        public var durationSeconds: Double
        /// `arrival`: how requests arrive.
        public var arrival: ArrivalProcess
        /// `rate_end_rps`: if set, the rate ramps linearly from the process's rate at the start of
        /// the phase to this rate at its end.
        public var rateEndRPS: Double?
        /// `daily_cycle`: optional periodic modulation of the rate.
        public var dailyCycle: DailyCycle?
        /// `drift`: optional smooth random wander of the rate.
        public var drift: RateDrift?
        /// `tick_s`: if set, arrivals are rounded down to multiples of this many seconds (from the
        /// scenario start), as in traces logged with coarse timestamps, where several requests
        /// share each tick and a replay releases them together.
        public var tickSeconds: Double?
        /// `input`: prompt (prefill) length in tokens.
        public var input: LengthDistribution
        /// `output`: generated (decode) length in tokens.
        public var output: LengthDistribution

        public init(durationSeconds: Double, arrival: ArrivalProcess, rateEndRPS: Double? = nil,
                    dailyCycle: DailyCycle? = nil, drift: RateDrift? = nil, tickSeconds: Double? = nil,
                    input: LengthDistribution, output: LengthDistribution) {
            self.durationSeconds = durationSeconds
            self.arrival = arrival
            self.rateEndRPS = rateEndRPS
            self.dailyCycle = dailyCycle
            self.drift = drift
            self.tickSeconds = tickSeconds
            self.input = input
            self.output = output
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case durationSeconds = "duration_s"
            case arrival
            case rateEndRPS = "rate_end_rps"
            case dailyCycle = "daily_cycle"
            case drift
            case tickSeconds = "tick_s"
            case input, output
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            durationSeconds = try container.decode(Double.self, forKey: .durationSeconds)
            arrival = try container.decode(ArrivalProcess.self, forKey: .arrival)
            rateEndRPS = try container.decodeIfPresent(Double.self, forKey: .rateEndRPS)
            dailyCycle = try container.decodeIfPresent(DailyCycle.self, forKey: .dailyCycle)
            drift = try container.decodeIfPresent(RateDrift.self, forKey: .drift)
            tickSeconds = try container.decodeIfPresent(Double.self, forKey: .tickSeconds)
            input = try container.decode(LengthDistribution.self, forKey: .input)
            output = try container.decode(LengthDistribution.self, forKey: .output)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, phases, sessions
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? "unnamed"
        phases = try container.decode([Phase].self, forKey: .phases)
        sessions = try container.decodeIfPresent(ConversationSessions.self, forKey: .sessions)
    }
}
