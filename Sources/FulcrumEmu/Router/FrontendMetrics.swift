import FulcrumCore
import FulcrumTelemetry

/// The router's own metrics under NVIDIA Dynamo's frontend names (what
/// `FrontendPreset.dynamo` reads), plus the router's per-worker routing counters.
public actor FrontendMetrics {
    /// Bounds seen in a real Dynamo frontend scrape (ITL, input lengths; output lengths use the
    /// input bounds), and log-spaced TTFT bounds in the same style.
    public static let timeToFirstTokenBounds: [Double] = [0, 0.0022, 0.0047, 0.01, 0.022, 0.047, 0.1, 0.22, 0.47, 1, 2.2, 4.7, 10, 22, 48, 100, 220, 480]
    public static let interTokenLatencyBounds: [Double] = [0, 0.0019, 0.0035, 0.0067, 0.013, 0.024, 0.045, 0.084, 0.16, 0.3]
    public static let sequenceTokenBounds: [Double] = [0, 100, 210, 430, 870, 1800, 3700, 7600, 16000, 32000, 64000, 128000]
    public static let durationBounds: [Double] = [0, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320]

    /// Key of `dynamo_frontend_requests_total`.
    struct RequestKey: Hashable {
        var stream: Bool
        var success: Bool
    }

    private let model: String
    private var requests: [RequestKey: Double] = [:]
    private var inflight = 0
    private var queued = 0
    private var outputTokens = 0.0
    private var timeToFirstToken = LatencyHistogram(bounds: FrontendMetrics.timeToFirstTokenBounds)
    private var interTokenLatency = LatencyHistogram(bounds: FrontendMetrics.interTokenLatencyBounds)
    private var inputSequence = LatencyHistogram(bounds: FrontendMetrics.sequenceTokenBounds)
    private var outputSequence = LatencyHistogram(bounds: FrontendMetrics.sequenceTokenBounds)
    private var duration = LatencyHistogram(bounds: FrontendMetrics.durationBounds)
    private var routed: [String: (role: Role, count: Double)] = [:]
    private var retries: [Role: Double] = [:]

    public init(model: String) {
        self.model = model
    }

    func arrived(inputTokens: Int) {
        inflight += 1
        inputSequence.observe(Double(inputTokens))
    }

    func waitingForWorker(_ delta: Int) { queued += delta }

    func routed(to url: String, role: Role) {
        routed[url, default: (role, 0)].count += 1
    }

    func retried(_ role: Role) { retries[role, default: 0] += 1 }

    func firstToken(after seconds: Double) { timeToFirstToken.observe(seconds) }

    func token(gap seconds: Double) {
        interTokenLatency.observe(seconds)
    }

    func tokensStreamed(_ count: Int) { outputTokens += Double(count) }

    /// Every arrival ends here exactly once, so `requests_total + inflight` counts arrivals.
    func finished(stream: Bool, success: Bool, outputTokens tokens: Int, seconds: Double) {
        inflight -= 1
        requests[RequestKey(stream: stream, success: success), default: 0] += 1
        duration.observe(seconds)
        if success { outputSequence.observe(Double(tokens)) }
    }

    public func render() -> String {
        let labels = [Label("model", model)]
        var families: [MetricFamily] = []
        families.append(WorkerExposition.gauge("dynamo_frontend_inflight_requests", "Number of inflight requests", labels, Double(inflight)))
        families.append(WorkerExposition.gauge("dynamo_frontend_queued_requests", "Number of requests waiting for a worker", labels, Double(queued)))
        var series: [([Label], Double)] = []
        for stream in [false, true] {
            for success in [true, false] {
                let key = RequestKey(stream: stream, success: success)
                series.append((labels + [
                    Label("endpoint", "completions"),
                    Label("request_type", stream ? "stream" : "unary"),
                    Label("status", success ? "success" : "error"),
                ], requests[key] ?? 0))
            }
        }
        families += WorkerExposition.counter("dynamo_frontend_requests", "Total number of LLM requests processed", series: series, createdAt: nil)
        families += WorkerExposition.counter("dynamo_frontend_output_tokens", "Total number of output tokens generated", labels, outputTokens, createdAt: nil)
        families += WorkerExposition.histogram("dynamo_frontend_time_to_first_token_seconds", "Time to first token in seconds", labels, timeToFirstToken, sumFirst: false, createdAt: nil)
        families += WorkerExposition.histogram("dynamo_frontend_inter_token_latency_seconds", "Inter-token latency in seconds", labels, interTokenLatency, sumFirst: false, createdAt: nil)
        families += WorkerExposition.histogram("dynamo_frontend_input_sequence_tokens", "Input sequence length in tokens", labels, inputSequence, sumFirst: false, createdAt: nil)
        families += WorkerExposition.histogram("dynamo_frontend_output_sequence_tokens", "Output sequence length in tokens", labels, outputSequence, sumFirst: false, createdAt: nil)
        families += WorkerExposition.histogram("dynamo_frontend_request_duration_seconds", "Duration of LLM requests", labels, duration, sumFirst: false, createdAt: nil)
        let workers = routed.sorted { $0.key < $1.key }.map { ([Label("worker", $0.key), Label("worker_type", $0.value.role.rawValue)], $0.value.count) }
        families += WorkerExposition.counter("fulcrum_emu_router_worker_requests", "Requests the router sent to each worker", series: workers, createdAt: nil)
        let retrySeries = Role.allCases.map { ([Label("worker_type", $0.rawValue)], retries[$0] ?? 0) }
        families += WorkerExposition.counter("fulcrum_emu_router_retries", "Requests sent again to another worker after a 503 or a refused connection", series: retrySeries, createdAt: nil)
        return ExpositionFormatter.format(families, as: .prometheusText)
    }
}
