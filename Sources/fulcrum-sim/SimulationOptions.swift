import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumSim
import FulcrumTraces

/// Options every simulation shares: what to replay, on what cluster, against which targets.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Trace file (Azure, Mooncake JSONL, BurstGPT or arrival_s,input_tokens,output_tokens[,hash_ids] CSV).")
    var trace: String

    @Option(help: "Trace format: auto, azure, mooncake, burstgpt, csv or csv-prefixes.")
    var format: TraceFormat = .auto

    @Option(help: "Cluster YAML (nodes and GPUs); default 4 nodes × 8 GPUs.")
    var cluster: String?

    @Option(help: "Built-in profile name or a profile YAML file (see 'fulcrum-sim profiles').")
    var profile: String = "llama3-8b-h100"

    @Option(name: .customLong("budget-gpus"), help: "GPU budget; default all GPUs of the cluster.")
    var budgetGPUs: Int?

    @Option(name: .customLong("ttft"), help: "TTFT target, seconds.")
    var ttftSeconds: Double = ServiceLevelObjective.default.ttftSeconds

    @Option(name: .customLong("tpot"), help: "TPOT (inter-token latency) target, seconds.")
    var tpotSeconds: Double = ServiceLevelObjective.default.tpotSeconds

    @Option(name: .customLong("slo-percentile"), help: "Share of requests that must meet both targets (0–1); the controller plans for it.")
    var sloPercentile: Double = ServiceLevelObjective.default.percentile

    @Option(help: "Initial prefill:decode instances, ready at t=0, for the dynamic policies (default 2:4; frontier: the cheapest split meeting the SLO).")
    var initial: String?

    @Option(help: "Replay K times faster (arrival times divided by K).")
    var speedup: Double = 1

    @Option(name: .customLong("load-scale"), help: "Replay each request K times (fractional K allowed), keeping the trace's time structure.")
    var loadScale: Double = 1

    @Option(name: .customLong("load-scale-mode"),
            help: "Where --load-scale puts the copies: spread (up to 60 s either side, like more independent users) or clumped (up to 0.5 s either side, K-fold bursts).")
    var loadScaleMode: LoadScaleMode = .spread

    @Option(name: .customLong("from"), help: "Start of a slice of the trace, seconds.")
    var sliceFrom: Double?

    @Option(name: .customLong("to"), help: "End of a slice of the trace, seconds.")
    var sliceTo: Double?

    @Option(help: "Random seed (routing ties, load-scale copy placement).")
    var seed: UInt64 = 1

    @Option(name: .customLong("timeline-interval"), help: "Width of a timeline interval, seconds.")
    var timelineInterval: Double = 60

    @Option(help: "How the router picks a prefill instance: least-loaded, round-robin or cache-aware (prefix caches matter only for traces with prefix hashes).")
    var routing: PrefillRouting = .leastLoaded

    @Flag(name: .customLong("no-prefix-metrics"), help: "Prefill workers do not export prefix-cache counters (an engine without them): the caches still work, the controller cannot see them.")
    var noPrefixMetrics = false

    @Option(name: .customLong("host-kv-cache-gb"),
            help: "Host memory each prefill worker gives a KV tier behind its GPU prefix cache (LMCache's CPU offload), GB; 0: none.")
    var hostKVCacheGB: Double = 0

    @Option(name: .customLong("host-kv-load-gbps"), help: "How fast that tier copies KV back to the GPU, GB/s.")
    var hostKVLoadGBps: Double = HostKVCache.defaultLoadBytesPerSecond / 1e9

    func makeInput() throws -> SimulationInput {
        let read = try TraceReader.read(path: trace, format: format)
        if !read.report.skipped.isEmpty {
            FileHandle.standardError.write(Data("fulcrum-sim: \(read.report)\n".utf8))
        }
        var transforms: [TraceTransform] = []
        if sliceFrom != nil || sliceTo != nil {
            transforms.append(.slice(from: sliceFrom ?? 0, to: sliceTo ?? .infinity))
        }
        if speedup != 1 { transforms.append(.speedup(speedup)) }
        if loadScale != 1 { transforms.append(.loadScale(loadScale, seed: seed, mode: loadScaleMode)) }
        let requests = try TraceTransform.apply(transforms, to: read.requests)
        guard !requests.isEmpty else {
            throw ValidationError("\(trace) has no requests in the chosen slice; widen --from/--to or check the file.")
        }
        let clusterSpec = try cluster.map { try ClusterSpec.load(path: $0) } ?? .default
        return SimulationInput(
            trace: requests,
            cluster: clusterSpec,
            profile: try Profile.named(profile),
            slo: ServiceLevelObjective(ttftSeconds: ttftSeconds, tpotSeconds: tpotSeconds, percentile: sloPercentile),
            gpuBudget: budgetGPUs,
            initialInstances: try Self.parseCounts(initial ?? "2:4", option: "--initial"),
            seed: seed,
            timelineIntervalSeconds: timelineInterval,
            prefillRouting: routing,
            exportsPrefixMetrics: !noPrefixMetrics,
            hostKVCache: try hostKVCache()
        )
    }

    private func hostKVCache() throws -> HostKVCache? {
        guard hostKVCacheGB.isFinite, hostKVCacheGB >= 0 else {
            throw ValidationError("--host-kv-cache-gb \(hostKVCacheGB) is not a size; give the GB of host memory per prefill worker, 0 for none.")
        }
        guard hostKVLoadGBps.isFinite, hostKVLoadGBps > 0 else {
            throw ValidationError("--host-kv-load-gbps \(hostKVLoadGBps) is not a copy rate; give the host-to-GPU GB/s, more than 0.")
        }
        guard hostKVCacheGB > 0 else { return nil }
        return HostKVCache(bytesPerWorker: hostKVCacheGB * 1e9, loadBytesPerSecond: hostKVLoadGBps * 1e9)
    }

    static func parseCounts(_ text: String, option: String) throws -> PerRole<Int> {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let prefill = Int(parts[0]), let decode = Int(parts[1]), prefill >= 0, decode >= 0 else {
            throw ValidationError("\(option) \"\(text)\" is not P:D instance counts; write it like 2:4.")
        }
        return PerRole(prefill: prefill, decode: decode)
    }
}

extension TraceFormat: ExpressibleByArgument {}
extension LoadScaleMode: ExpressibleByArgument {}
extension PrefillRouting: ExpressibleByArgument {}

/// Writes to a path, creating its folder, with a one-sentence error naming the path.
func writeFile(_ text: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    } catch {
        throw ValidationError("cannot write \(path): \(error.localizedDescription); check the folder exists and is writable.")
    }
}
