import FulcrumCore
import FulcrumTraces

/// GPU-hours below which no policy can do a trace's work within the SLO, window by window.
///
/// Per window of `windowSeconds` (requests attributed to the window they arrive in), at full
/// utilisation and with instant starts:
/// - prefill instances = (prompt tokens ÷ window) ÷ saturated prefill tokens/s at the window's
///   mean prompt length (`Profile.priors`, `tokensPerSecond(promptTokens:)`: full chunked batches, so the
///   batch overhead is shared by a whole token budget);
/// - decode instances = (decode tokens ÷ window) ÷ `DecodePerformance.throughput(atTPOT:meanContext:)`
///   at the window's mean context per decode token (the largest batch whose step fits the TPOT
///   target, capped by KV memory). Decode tokens are output − 1 per request (the prefill emits
///   the first), each at the context it really has (prompt + tokens so far).
///
/// GPU-hours = Σ over windows of instances × GPUs per instance × window.
///
/// Why it is a bound: a prompt of P tokens costs `perToken·P + attention·P²` GPU-seconds of
/// prefill plus a batch overhead per at most `max_batch_tokens` tokens, and since Σ P² ≥ n·(mean
/// P)², pricing every prompt at the mean length undercounts the work. A decode step costs
/// `a + b·batch + c·Σcontext`; the context term is linear, so the mean context prices it exactly,
/// and the fixed cost `a` is shared by at most the batch that still meets the TPOT target.
/// Anything that does this window's work within the SLO therefore holds at least these
/// GPU-seconds, however it is split, and nothing is charged for idle capacity, start-ups,
/// queueing headroom or a minimum fleet. Requests no decode instance can admit are left out:
/// nobody does their work.
///
/// Caveats: a policy may defer work to a later window (a backlog carried across a boundary
/// is charged where it arrived, not where it ran; only the total is a bound, not each window);
/// TPOT is a per-request mean, so single steps may exceed the target, and the TPOT batch limit
/// is taken at the mean context (a floor of a near-linear function), so the decode term is an
/// estimate of the bound rather than a proof on windows mixing very different contexts.
public struct GPUHourLowerBound: Sendable, Hashable, Codable {
    public var gpuHours: Double
    public var prefillGPUHours: Double
    public var decodeGPUHours: Double
    public var windowSeconds: Double
    public var windows: Int

    enum CodingKeys: String, CodingKey {
        case windows
        case gpuHours = "gpu_hours"
        case prefillGPUHours = "prefill_gpu_hours"
        case decodeGPUHours = "decode_gpu_hours"
        case windowSeconds = "window_s"
    }

    public init(trace: [TraceRequest], profile: Profile, slo: ServiceLevelObjective, windowSeconds: Double = 60) {
        let width = windowSeconds > 0 && windowSeconds.isFinite ? windowSeconds : 60
        let work = Self.windowWork(trace: trace, profile: profile, windowSeconds: width)
        var prefillSeconds = 0.0
        var decodeSeconds = 0.0
        for window in work {
            prefillSeconds += window.prefillInstanceSeconds(profile: profile) * Double(profile.gpusPerInstance.prefill)
            decodeSeconds += window.decodeInstanceSeconds(profile: profile, slo: slo) * Double(profile.gpusPerInstance.decode)
        }
        self.prefillGPUHours = prefillSeconds / 3600
        self.decodeGPUHours = decodeSeconds / 3600
        self.gpuHours = (prefillSeconds + decodeSeconds) / 3600
        self.windowSeconds = width
        self.windows = work.count
    }

    /// The work arriving in one window.
    struct WindowWork {
        var prompts = 0
        var promptTokens = 0.0
        var decodeTokens = 0.0
        /// Σ over decode tokens of their context length.
        var decodeContextTokens = 0.0

        mutating func add(inputTokens: Int, outputTokens: Int) {
            let input = Double(max(1, inputTokens))
            let steps = Double(max(1, outputTokens) - 1)
            prompts += 1
            promptTokens += input
            decodeTokens += steps
            // Decode step k (k = 0 … steps − 1) runs at context input + 1 + k.
            decodeContextTokens += steps * (input + 1 + (steps - 1) / 2)
        }

        /// (prompt tokens ÷ w) ÷ saturated tokens/s at the mean prompt, times w.
        func prefillInstanceSeconds(profile: Profile) -> Double {
            guard prompts > 0 else { return 0 }
            let rate = profile.priors.prefill?.tokensPerSecond(promptTokens: promptTokens / Double(prompts)) ?? 0
            return rate > 0 ? promptTokens / rate : 0
        }

        /// (decode tokens ÷ w) ÷ tokens/s at the TPOT target at the mean context, times w.
        func decodeInstanceSeconds(profile: Profile, slo: ServiceLevelObjective) -> Double {
            guard decodeTokens > 0, let decode = profile.priors.decode else { return 0 }
            let rate = decode.throughput(atTPOT: slo.tpotSeconds, meanContext: decodeContextTokens / decodeTokens)
            return rate > 0 ? decodeTokens / rate : 0
        }
    }

    /// Admissible requests by arrival window `[k·w, (k+1)·w)`, from t = 0 to the last arrival.
    static func windowWork(trace: [TraceRequest], profile: Profile, windowSeconds: Double) -> [WindowWork] {
        guard let last = trace.map(\.arrival).max() else { return [] }
        let count = Int((max(0, last) / windowSeconds).rounded(.down)) + 1
        var windows = [WindowWork](repeating: WindowWork(), count: count)
        for request in trace where profile.canAdmit(inputTokens: request.inputTokens, outputTokens: request.outputTokens) {
            let index = min(count - 1, max(0, Int((max(0, request.arrival) / windowSeconds).rounded(.down))))
            windows[index].add(inputTokens: request.inputTokens, outputTokens: request.outputTokens)
        }
        return windows
    }
}
