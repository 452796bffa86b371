import ArgumentParser
import Foundation
import FulcrumConfiguration
import FulcrumCore
import FulcrumFileInput
import FulcrumSim
import FulcrumTraces

/// Options every simulation shares: what to replay, on what cluster, against which targets.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Trace file (Azure, Mooncake JSONL, BurstGPT or arrival_s,input_tokens,output_tokens[,hash_ids] CSV).")
    var trace: String

    @Option(help: "Trace format: auto, azure, mooncake, burstgpt, csv or csv-prefixes.")
    var format: TraceFormat = .auto

    @Option(help: "Cluster YAML (nodes and GPUs); default 4 nodes of 8 GPUs.")
    var cluster: String?

    @Option(help: "Built-in profile name or a profile YAML file (see 'fulcrum-sim profiles').")
    var profile: String = "llama3-8b-h100"

    @Option(name: .customLong("budget-gpus"), parsing: .unconditional, help: "GPU budget; default all GPUs of the cluster.")
    var budgetGPUs: Int?

    @Option(name: .customLong("ttft"), parsing: .unconditional, help: "TTFT target, seconds.")
    var ttftSeconds: Double = ServiceLevelObjective.default.ttftSeconds

    @Option(name: .customLong("tpot"), parsing: .unconditional, help: "TPOT (inter-token latency) target, seconds.")
    var tpotSeconds: Double = ServiceLevelObjective.default.tpotSeconds

    @Option(name: .customLong("slo-percentile"), parsing: .unconditional, help: "Share of requests that must meet both targets (\(SettingRules.sloPercentile.lowerBound) to \(SettingRules.sloPercentile.upperBound)); the controller plans for it.")
    var sloPercentile: Double = ServiceLevelObjective.default.percentile

    @Option(help: "Initial prefill:decode instances, ready at t=0, for the dynamic policies (default 2:4; frontier: the cheapest split meeting the SLO).")
    var initial: String?

    @Option(parsing: .unconditional, help: "Replay K times faster (arrival times divided by K).")
    var speedup: Double = 1

    @Option(name: .customLong("load-scale"), parsing: .unconditional, help: "Replay each request K times (fractional K allowed), keeping the trace's time structure.")
    var loadScale: Double = 1

    @Option(name: .customLong("load-scale-mode"),
            help: "Where --load-scale puts the copies: spread (up to 60 s either side, like more independent users) or clumped (up to 0.5 s either side, K-fold bursts).")
    var loadScaleMode: LoadScaleMode = .spread

    @Option(name: .customLong("from"), parsing: .unconditional, help: "Start of a slice of the trace, seconds.")
    var sliceFrom: Double?

    @Option(name: .customLong("to"), parsing: .unconditional, help: "End of a slice of the trace, seconds.")
    var sliceTo: Double?

    @Option(help: "Random seed (routing ties, load-scale copy placement).")
    var seed: UInt64 = 1

    @Option(name: .customLong("timeline-interval"), parsing: .unconditional, help: "Width of a timeline interval, seconds.")
    var timelineInterval: Double = 60

    @Option(help: "How the router picks a prefill instance: least-loaded, round-robin or cache-aware (prefix caches matter only for traces with prefix hashes).")
    var routing: PrefillRouting = .leastLoaded

    @Flag(name: .customLong("no-prefix-metrics"), help: "Prefill workers do not export prefix-cache counters (an engine without them): the caches still work, the controller cannot see them.")
    var noPrefixMetrics = false

    @Option(name: .customLong("host-kv-cache-gb"), parsing: .unconditional,
            help: ArgumentHelp("Host memory each prefill worker gives a KV tier behind its GPU prefix cache (LMCache's CPU offload), in GB; 0, the default, for none.", valueName: "GB"))
    var hostKVCacheGB: Double = 0

    @Option(name: .customLong("host-kv-load-gbps"), parsing: .unconditional,
            help: ArgumentHelp("How fast that tier copies KV back to the GPU, GB/s (default \((HostKVCache.defaultLoadBytesPerSecond / 1e9).compactText)).", valueName: "rate"))
    var hostKVLoadGBps: Double = HostKVCache.defaultLoadBytesPerSecond / 1e9

    /// Every number checked before a trace is read: a negative, NaN, infinite or absurd value is
    /// named with what it may be, never carried into a run (`--ttft 0` counted every request
    /// infeasible; `--load-scale 1e300` trapped).
    func validate() throws {
        try SettingFlags.checkSeconds(ttftSeconds, flag: "--ttft")
        try SettingFlags.checkSeconds(tpotSeconds, flag: "--tpot")
        try SettingFlags.checkPercentile(sloPercentile)
        try SettingFlags.checkGPUs(budgetGPUs, flag: "--budget-gpus", within: SettingRules.maxGPUs)
        try Self.require(speedup, above: 0, atMost: 1e6, "--speedup")
        try Self.require(loadScale, in: 0...TraceTransform.largestLoadScale, "--load-scale")
        try Self.require(timelineInterval, in: 1...86_400, "--timeline-interval")
        if let sliceFrom { try Self.require(sliceFrom, in: 0...TraceReader.longestSpanSeconds, "--from") }
        if let sliceTo { try Self.require(sliceTo, above: sliceFrom ?? 0, atMost: .greatestFiniteMagnitude, "--to") }
        try Self.require(hostKVCacheGB, in: 0...1e6, "--host-kv-cache-gb")
        try Self.require(hostKVLoadGBps, above: 0, atMost: 1e4, "--host-kv-load-gbps")
    }

    private static func require(_ value: Double, in range: ClosedRange<Double>, _ flag: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(flag) \(value.compactText) must be a number from \(range.lowerBound.compactText) to \(range.upperBound.compactText).")
        }
    }

    private static func require(_ value: Double, above floor: Double, atMost ceiling: Double, _ flag: String) throws {
        guard value.isFinite, value > floor, value <= ceiling else {
            throw ValidationError("\(flag) \(value.compactText) must be a number above \(floor.compactText) and at most \(ceiling.compactText).")
        }
    }

    /// Output paths checked before a run: a long simulation must not end in "cannot write".
    static func checkOutputs(_ paths: String?...) throws {
        for case let path? in paths {
            do {
                try OutputFile.checkWritable(path)
            } catch {
                throw CommandFailure(description: "\(error); choose another path.")
            }
        }
    }

    /// A fixed split larger than the budget would run with whatever fits, quietly not the
    /// split asked for.
    static func checkFits(_ policies: [any ScalingPolicy], _ input: SimulationInput) throws {
        let perInstance = input.profile.gpusPerInstance
        for case let policy as StaticPolicy in policies {
            let needed = policy.counts.prefill * perInstance.prefill + policy.counts.decode * perInstance.decode
            guard needed <= input.gpuBudget else {
                throw CommandFailure(description: "\(policy.name) needs \(needed) GPUs (\(perInstance.prefill) per prefill and \(perInstance.decode) per decode instance with profile \(input.profile.name)), more than the budget of \(input.gpuBudget); pick a split that fits or raise --budget-gpus.")
            }
        }
    }

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
            let cause = read.requests.isEmpty ? "has no requests to replay (only a header, or every row skipped)"
                : sliceFrom != nil || sliceTo != nil ? "has no requests between --from and --to; widen the slice"
                : "keeps no requests at --load-scale \(loadScale)"
            throw CommandFailure(description: "\(trace) \(cause).")
        }
        let clusterSpec = try cluster.map { try ClusterSpec.load(path: $0) } ?? .default
        if let budgetGPUs, budgetGPUs > clusterSpec.totalGPUs {
            throw CommandFailure(description: "--budget-gpus \(budgetGPUs) exceeds the \(clusterSpec.totalGPUs) GPUs of \(cluster ?? "the default cluster (4 nodes × 8 GPUs)"); lower it, or give a --cluster file with more GPUs.")
        }
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
            hostKVCache: hostKVCache()
        )
    }

    /// The host tier the flags describe (checked in `validate`), nil for none.
    private func hostKVCache() -> HostKVCache? {
        guard hostKVCacheGB > 0 else { return nil }
        return HostKVCache(bytesPerWorker: hostKVCacheGB * 1e9, loadBytesPerSecond: hostKVLoadGBps * 1e9)
    }

    static func parseCounts(_ text: String, option: String) throws -> PerRole<Int> {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let prefill = Int(parts[0]), let decode = Int(parts[1]), prefill >= 0, decode >= 0 else {
            throw CommandFailure(description: "\(option) \"\(text)\" is not P:D instance counts; write it like 2:4.")
        }
        return PerRole(prefill: prefill, decode: decode)
    }
}

extension TraceFormat: ExpressibleByArgument {}
extension LoadScaleMode: ExpressibleByArgument {}
extension PrefillRouting: ExpressibleByArgument {}

/// Writes to a path, creating its folder, with a one-sentence error naming the path.
func writeFile(_ text: String, to path: String) throws {
    do {
        try OutputFile.write(Data(text.utf8), to: path)
    } catch {
        throw CommandFailure(description: "\(error); choose another path.")
    }
}

/// A failure that is not a usage mistake: printed as `Error: …` without the usage text, exit 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
}
