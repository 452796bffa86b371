import FulcrumCore
import FulcrumStrictDecoding

/// One request line of the decision interface: a cluster snapshot in the wire schema.
///
/// The wire names are snake_case and every unit is in the name (`_s`, `_seconds`, tokens), so a
/// caller in any language can build one from the schema document alone. Unknown keys are
/// rejected: a misspelt optional field must not silently change a decision.
public struct SnapshotMessage: Sendable, Hashable, Codable {
    public var schema: Int
    /// Seconds on the caller's timeline; only differences matter. Never decreases.
    public var time: Double
    public var nodes: [Node]
    public var workers: [Worker]
    public var frontend: Frontend?
    public var traffic: Traffic?
    public var overrides: OverrideSettings?

    public init(
        schema: Int = DecisionSchema.version, time: Double, nodes: [Node], workers: [Worker],
        frontend: Frontend? = nil, traffic: Traffic? = nil, overrides: OverrideSettings? = nil
    ) {
        self.schema = schema
        self.time = time
        self.nodes = nodes
        self.workers = workers
        self.frontend = frontend
        self.traffic = traffic
        self.overrides = overrides
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case schema, time, nodes, workers, frontend, traffic, overrides
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = try container.decodeWholeNumber(forKey: .schema)
        // The version is checked before anything else, so a newer caller hears about the version
        // rather than about a field this build has never heard of.
        guard schema == DecisionSchema.version else {
            throw DecodingError.dataCorruptedError(
                forKey: .schema, in: container,
                debugDescription: "is \(schema) but this build speaks schema \(DecisionSchema.version); send \"schema\": \(DecisionSchema.version) or use a matching fulcrum-sim")
        }
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        time = try container.decode(Double.self, forKey: .time)
        nodes = try container.decode([Node].self, forKey: .nodes)
        workers = try container.decode([Worker].self, forKey: .workers)
        frontend = try container.decodeIfPresent(Frontend.self, forKey: .frontend)
        traffic = try container.decodeIfPresent(Traffic.self, forKey: .traffic)
        overrides = try container.decodeIfPresent(OverrideSettings.self, forKey: .overrides)
    }

    public struct Node: Sendable, Hashable, Codable {
        public var name: String
        public var gpus: [Int]
        /// Defaults to true; false marks the node's workers stale and keeps new work off it.
        public var reachable: Bool?
        /// GPUs whose starts keep failing, held back by the caller: nothing new is placed on them
        /// while other GPUs are free.
        public var backingOff: [Int]?

        public init(name: String, gpus: [Int], reachable: Bool? = nil, backingOff: [Int]? = nil) {
            self.name = name
            self.gpus = gpus
            self.reachable = reachable
            self.backingOff = backingOff
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, gpus, reachable
            case backingOff = "backing_off"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            gpus = try container.decodeWholeNumbers(forKey: .gpus)
            reachable = try container.decodeIfPresent(Bool.self, forKey: .reachable)
            backingOff = container.contains(.backingOff) ? try container.decodeWholeNumbers(forKey: .backingOff) : nil
        }
    }

    public struct Worker: Sendable, Hashable, Codable {
        public var id: String
        /// `prefill` or `decode`.
        public var role: String
        public var node: String
        public var gpus: [Int]
        /// `starting`, `ready`, `draining` or `failed`.
        public var state: String
        /// When its process was started; callers that only know states may leave it out, and
        /// the session then takes the first line that listed the worker.
        public var startedAt: Double?
        public var readyAt: Double?
        public var telemetry: Telemetry?

        public init(
            id: String, role: String, node: String, gpus: [Int], state: String,
            startedAt: Double?, readyAt: Double? = nil, telemetry: Telemetry? = nil
        ) {
            self.id = id
            self.role = role
            self.node = node
            self.gpus = gpus
            self.state = state
            self.startedAt = startedAt
            self.readyAt = readyAt
            self.telemetry = telemetry
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, role, node, gpus, state
            case startedAt = "started_at"
            case readyAt = "ready_at"
            case telemetry
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            role = try container.decode(String.self, forKey: .role)
            node = try container.decode(String.self, forKey: .node)
            gpus = try container.decodeWholeNumbers(forKey: .gpus)
            state = try container.decode(String.self, forKey: .state)
            startedAt = try container.decodeIfPresent(Double.self, forKey: .startedAt)
            readyAt = try container.decodeIfPresent(Double.self, forKey: .readyAt)
            telemetry = try container.decodeIfPresent(Telemetry.self, forKey: .telemetry)
        }
    }

    /// A worker's latest good scrape, cumulative as Prometheus exposes it. Counters an engine
    /// does not expose may be left out; they read as 0.
    public struct Telemetry: Sendable, Hashable, Codable {
        public var scrapedAt: Double
        public var requestsWaiting: Double?
        public var requestsRunning: Double?
        /// 0…1.
        public var kvCacheUsage: Double?
        public var promptTokens: Double?
        public var generationTokens: Double?
        public var requestsFinished: Double?
        public var ttftSeconds: Histogram?
        public var itlSeconds: Histogram?
        /// Cumulative prompt tokens looked up in the prefix cache and found there.
        public var prefixCacheQueries: Double?
        public var prefixCacheHits: Double?
        /// The engine's recent prefix-cache hit rate, 0…1, for engines without the counters.
        public var prefixCacheHitRate: Double?
        /// Recent KV hand-off time from prefill to decode, seconds.
        public var kvTransferSeconds: Double?
        /// Cumulative KV transfers and the seconds they took (a transfer histogram's count and sum).
        public var kvTransfers: Double?
        public var kvTransferSecondsTotal: Double?

        public init(
            scrapedAt: Double, requestsWaiting: Double? = nil, requestsRunning: Double? = nil, kvCacheUsage: Double? = nil,
            promptTokens: Double? = nil, generationTokens: Double? = nil, requestsFinished: Double? = nil,
            ttftSeconds: Histogram? = nil, itlSeconds: Histogram? = nil,
            prefixCacheQueries: Double? = nil, prefixCacheHits: Double? = nil, prefixCacheHitRate: Double? = nil,
            kvTransferSeconds: Double? = nil, kvTransfers: Double? = nil, kvTransferSecondsTotal: Double? = nil
        ) {
            self.scrapedAt = scrapedAt
            self.requestsWaiting = requestsWaiting
            self.requestsRunning = requestsRunning
            self.kvCacheUsage = kvCacheUsage
            self.promptTokens = promptTokens
            self.generationTokens = generationTokens
            self.requestsFinished = requestsFinished
            self.ttftSeconds = ttftSeconds
            self.itlSeconds = itlSeconds
            self.prefixCacheQueries = prefixCacheQueries
            self.prefixCacheHits = prefixCacheHits
            self.prefixCacheHitRate = prefixCacheHitRate
            self.kvTransferSeconds = kvTransferSeconds
            self.kvTransfers = kvTransfers
            self.kvTransferSecondsTotal = kvTransferSecondsTotal
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case scrapedAt = "scraped_at"
            case requestsWaiting = "requests_waiting"
            case requestsRunning = "requests_running"
            case kvCacheUsage = "kv_cache_usage"
            case promptTokens = "prompt_tokens"
            case generationTokens = "generation_tokens"
            case requestsFinished = "requests_finished"
            case ttftSeconds = "ttft_seconds"
            case itlSeconds = "itl_seconds"
            case prefixCacheQueries = "prefix_cache_queries"
            case prefixCacheHits = "prefix_cache_hits"
            case prefixCacheHitRate = "prefix_cache_hit_rate"
            case kvTransferSeconds = "kv_transfer_seconds"
            case kvTransfers = "kv_transfers"
            case kvTransferSecondsTotal = "kv_transfer_seconds_total"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            scrapedAt = try container.decode(Double.self, forKey: .scrapedAt)
            requestsWaiting = try container.decodeIfPresent(Double.self, forKey: .requestsWaiting)
            requestsRunning = try container.decodeIfPresent(Double.self, forKey: .requestsRunning)
            kvCacheUsage = try container.decodeIfPresent(Double.self, forKey: .kvCacheUsage)
            promptTokens = try container.decodeIfPresent(Double.self, forKey: .promptTokens)
            generationTokens = try container.decodeIfPresent(Double.self, forKey: .generationTokens)
            requestsFinished = try container.decodeIfPresent(Double.self, forKey: .requestsFinished)
            ttftSeconds = try container.decodeIfPresent(Histogram.self, forKey: .ttftSeconds)
            itlSeconds = try container.decodeIfPresent(Histogram.self, forKey: .itlSeconds)
            prefixCacheQueries = try container.decodeIfPresent(Double.self, forKey: .prefixCacheQueries)
            prefixCacheHits = try container.decodeIfPresent(Double.self, forKey: .prefixCacheHits)
            prefixCacheHitRate = try container.decodeIfPresent(Double.self, forKey: .prefixCacheHitRate)
            kvTransferSeconds = try container.decodeIfPresent(Double.self, forKey: .kvTransferSeconds)
            kvTransfers = try container.decodeIfPresent(Double.self, forKey: .kvTransfers)
            kvTransferSecondsTotal = try container.decodeIfPresent(Double.self, forKey: .kvTransferSecondsTotal)
        }
    }

    /// A cumulative Prometheus histogram: buckets by increasing `le`, the last one `"+Inf"`.
    public struct Histogram: Sendable, Hashable, Codable {
        public var buckets: [Bucket]
        public var sum: Double

        public init(buckets: [Bucket], sum: Double) {
            self.buckets = buckets
            self.sum = sum
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case buckets, sum }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            buckets = try container.decode([Bucket].self, forKey: .buckets)
            sum = try container.decode(Double.self, forKey: .sum)
        }

        public struct Bucket: Sendable, Hashable, Codable {
            /// Upper bound; JSON has no infinity, so the last bucket is written `"+Inf"`.
            public var le: Double
            public var count: Double

            public init(le: Double, count: Double) {
                self.le = le
                self.count = count
            }

            enum CodingKeys: String, CodingKey, CaseIterable { case le, count }

            public init(from decoder: any Decoder) throws {
                try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
                let container = try decoder.container(keyedBy: CodingKeys.self)
                if let number = try? container.decode(Double.self, forKey: .le) {
                    le = number
                } else if let text = try? container.decode(String.self, forKey: .le), ["+Inf", "Inf", "+inf", "inf"].contains(text) {
                    le = .infinity
                } else {
                    throw DecodingError.dataCorruptedError(forKey: .le, in: container, debugDescription: "expected a number or \"+Inf\"")
                }
                count = try container.decode(Double.self, forKey: .count)
            }

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                if le.isInfinite { try container.encode("+Inf", forKey: .le) } else { try container.encode(le, forKey: .le) }
                try container.encode(count, forKey: .count)
            }
        }
    }

    /// Cumulative counters of the router in front of the workers, when it is scraped.
    public struct Frontend: Sendable, Hashable, Codable {
        public var scrapedAt: Double
        public var requestsArrived: Double
        public var inputTokens: Double
        public var outputTokens: Double
        public var requestsCompleted: Double
        public var ttftSeconds: Histogram?
        public var itlSeconds: Histogram?

        public init(
            scrapedAt: Double, requestsArrived: Double, inputTokens: Double, outputTokens: Double,
            requestsCompleted: Double, ttftSeconds: Histogram? = nil, itlSeconds: Histogram? = nil
        ) {
            self.scrapedAt = scrapedAt
            self.requestsArrived = requestsArrived
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.requestsCompleted = requestsCompleted
            self.ttftSeconds = ttftSeconds
            self.itlSeconds = itlSeconds
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case scrapedAt = "scraped_at"
            case requestsArrived = "requests_arrived"
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case requestsCompleted = "requests_completed"
            case ttftSeconds = "ttft_seconds"
            case itlSeconds = "itl_seconds"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            scrapedAt = try container.decode(Double.self, forKey: .scrapedAt)
            requestsArrived = try container.decode(Double.self, forKey: .requestsArrived)
            inputTokens = try container.decode(Double.self, forKey: .inputTokens)
            outputTokens = try container.decode(Double.self, forKey: .outputTokens)
            requestsCompleted = try container.decode(Double.self, forKey: .requestsCompleted)
            ttftSeconds = try container.decodeIfPresent(Histogram.self, forKey: .ttftSeconds)
            itlSeconds = try container.decodeIfPresent(Histogram.self, forKey: .itlSeconds)
        }
    }

    /// The caller's summary of the window that ends at `time` (see `TrafficWindow`).
    public struct Traffic: Sendable, Hashable, Codable {
        public var durationS: Double
        public var requests: Double
        public var meanInputTokens: Double?
        public var meanOutputTokens: Double?
        /// Observed at the SLO percentile, seconds.
        public var ttftSeconds: Double?
        public var itlSeconds: Double?

        public init(
            durationS: Double, requests: Double, meanInputTokens: Double? = nil, meanOutputTokens: Double? = nil,
            ttftSeconds: Double? = nil, itlSeconds: Double? = nil
        ) {
            self.durationS = durationS
            self.requests = requests
            self.meanInputTokens = meanInputTokens
            self.meanOutputTokens = meanOutputTokens
            self.ttftSeconds = ttftSeconds
            self.itlSeconds = itlSeconds
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case durationS = "duration_s"
            case requests
            case meanInputTokens = "mean_input_tokens"
            case meanOutputTokens = "mean_output_tokens"
            case ttftSeconds = "ttft_seconds"
            case itlSeconds = "itl_seconds"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            durationS = try container.decode(Double.self, forKey: .durationS)
            requests = try container.decode(Double.self, forKey: .requests)
            meanInputTokens = try container.decodeIfPresent(Double.self, forKey: .meanInputTokens)
            meanOutputTokens = try container.decodeIfPresent(Double.self, forKey: .meanOutputTokens)
            ttftSeconds = try container.decodeIfPresent(Double.self, forKey: .ttftSeconds)
            itlSeconds = try container.decodeIfPresent(Double.self, forKey: .itlSeconds)
        }
    }

    /// Manual settings for this decision, as `fulcrumctl override` would set them.
    public struct OverrideSettings: Sendable, Hashable, Codable {
        /// Hold everything: no starts, no drains.
        public var paused: Bool?
        /// "P:D", e.g. "1:3": keep this instance ratio while the total follows demand.
        public var ratio: String?
        /// Run exactly these counts.
        public var counts: PerRole<Int>?

        public init(paused: Bool? = nil, ratio: String? = nil, counts: PerRole<Int>? = nil) {
            self.paused = paused
            self.ratio = ratio
            self.counts = counts
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case paused, ratio, counts }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            paused = try container.decodeIfPresent(Bool.self, forKey: .paused)
            ratio = try container.decodeIfPresent(String.self, forKey: .ratio)
            counts = try container.decodeIfPresent(RoleCountsMessage.self, forKey: .counts)?.counts
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(paused, forKey: .paused)
            try container.encodeIfPresent(ratio, forKey: .ratio)
            try container.encodeIfPresent(counts.map(RoleCountsMessage.init), forKey: .counts)
        }
    }
}

/// `{"prefill": P, "decode": D}` with both keys required and nothing else.
struct RoleCountsMessage: Codable {
    var counts: PerRole<Int>

    init(_ counts: PerRole<Int>) { self.counts = counts }

    enum CodingKeys: String, CodingKey, CaseIterable { case prefill, decode }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(allowed: CodingKeys.allCases)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        counts = PerRole(prefill: try container.decodeWholeNumber(forKey: .prefill), decode: try container.decodeWholeNumber(forKey: .decode))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(counts.prefill, forKey: .prefill)
        try container.encode(counts.decode, forKey: .decode)
    }
}

extension KeyedDecodingContainer {
    /// An integer field, read as a number first: Foundation reports `0.5` for an `Int` as
    /// invalid JSON with no field path, which would leave the caller guessing.
    func decodeWholeNumber(forKey key: Key) throws -> Int {
        let number = try decode(Double.self, forKey: key)
        guard let whole = Int(exactly: number) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "is \(number); expected a whole number within ±9.2e18")
        }
        return whole
    }

    func decodeWholeNumbers(forKey key: Key) throws -> [Int] {
        var list = try nestedUnkeyedContainer(forKey: key)
        var values: [Int] = []
        while !list.isAtEnd {
            let number = try list.decode(Double.self)
            guard let whole = Int(exactly: number) else {
                throw DecodingError.dataCorrupted(DecodingError.Context(
                    codingPath: codingPath + [key, IndexKey(intValue: values.count)],
                    debugDescription: "is \(number); expected a whole number within ±9.2e18"))
            }
            values.append(whole)
        }
        return values
    }
}

/// The position of an element in a JSON array, for error paths.
struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(intValue: Int) {
        self.intValue = intValue
        stringValue = String(intValue)
    }

    init?(stringValue: String) { nil }
}
