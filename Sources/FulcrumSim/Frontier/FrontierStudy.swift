import Foundation
import FulcrumCore

/// A frontier, not a single point: every fixed split within the budget, every dynamic
/// baseline and Fulcrum across its headroom knob, on one trace, profile, budget and SLO.
///
/// Protocol (docs/simulator.md, "The frontier"): fixed splits are ready at t = 0 and held; the
/// dynamic policies all take over the same running fleet, the warm start (`warmStart`, or else
/// the cheapest split whose feasible attainment reaches the SLO percentile, or else the
/// best-attainment split), so fixed splits run first. Runs are independent and use `jobs`
/// threads; the report does not depend on `jobs` or on timing.
public struct FrontierStudy: Sendable {
    /// `hindsight-lead` at planned utilisations 0.3–0.9: what knowing the trace would be worth to a
    /// fleet that pays start-ups, drawn as one curve (docs/evaluation.md).
    public static let foresightSweep = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map {
        HindsightMeanPolicy(utilisation: PerRole(repeating: $0), paysStartups: true).name
    }
    public static let defaultBaselines = ["dynamo-sla", "dynamo-load", "aiconfigurator", "hindsight-mean"] + foresightSweep
    public static let defaultHeadroomSweep = [0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5]
    public static let defaultTickPhases = 4

    /// Trace, cluster, profile, SLO, budget, seed. `initialInstances` is not used: see `warmStart`.
    public var input: SimulationInput
    /// Names the report (e.g. the trace's path).
    public var label: String
    /// The fleet dynamic policies start from; `nil` picks it from the fixed splits.
    public var warmStart: PerRole<Int>?
    /// Baseline policy names, as `PolicyCatalog` accepts them.
    public var baselines: [String]
    /// Headroom values Fulcrum runs at besides its default (1, which is always run as `fulcrum`).
    public var headroomSweep: [Double]
    /// Largest P + D of a fixed split; `nil` runs every split that fits the budget.
    public var maxSplitInstances: Int?
    /// Simulations run at once.
    public var jobs: Int
    /// Window of the GPU-hour lower bound, seconds.
    public var lowerBoundWindowSeconds: Double
    /// How many phases of its tick Fulcrum at its defaults is run at: its first decision at
    /// 0, 1/n, …, (n − 1)/n of its tick interval. A controller's trajectory depends on where its
    /// ticks fall against the arrivals (on the bundled hours, GPU-hours moved by −5 to +8 %);
    /// the spread says how far one run's point can be trusted. 1 runs the default alone.
    public var tickPhases: Int

    public init(
        input: SimulationInput,
        label: String = "",
        warmStart: PerRole<Int>? = nil,
        baselines: [String] = FrontierStudy.defaultBaselines,
        headroomSweep: [Double] = FrontierStudy.defaultHeadroomSweep,
        maxSplitInstances: Int? = nil,
        jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
        lowerBoundWindowSeconds: Double = 60,
        tickPhases: Int = FrontierStudy.defaultTickPhases
    ) {
        self.input = input
        self.label = label
        self.warmStart = warmStart
        self.baselines = baselines
        self.headroomSweep = headroomSweep
        self.maxSplitInstances = maxSplitInstances
        self.jobs = jobs
        self.lowerBoundWindowSeconds = lowerBoundWindowSeconds
        self.tickPhases = tickPhases
    }

    /// Every P:D (P, D ≥ 1) whose GPUs fit the budget (and `maxSplitInstances`), by P then D.
    public func splits() -> [PerRole<Int>] {
        let gpus = input.profile.gpusPerInstance
        let budget = min(input.gpuBudget, input.cluster.totalGPUs)
        let most = maxSplitInstances ?? Int.max
        guard gpus.prefill > 0, gpus.decode > 0, budget >= gpus.prefill + gpus.decode else { return [] }
        var splits: [PerRole<Int>] = []
        for prefill in 1...((budget - gpus.decode) / gpus.prefill) {
            let decodeMost = min((budget - prefill * gpus.prefill) / gpus.decode, most - prefill)
            guard decodeMost >= 1 else { continue }
            for decode in 1...decodeMost { splits.append(PerRole(prefill: prefill, decode: decode)) }
        }
        return splits
    }

    /// Runs the study. Throws `FrontierStudyError` for settings it cannot run,
    /// `PolicyNameError` for an unknown baseline, and what `Simulator.run` throws.
    public func run() throws -> FrontierReport {
        try validate()
        let statics = try simulate(splits().map { split in
            Run(policy: StaticPolicy(prefill: split.prefill, decode: split.decode), initial: split, kind: .static, split: split)
        })
        let start = try chooseWarmStart(statics)
        // One batch, so the tick phases run beside the baselines rather than after them.
        let dynamicRuns = try dynamicRuns(from: start.fleet)
        let dynamics = try simulate(dynamicRuns + phaseRuns(from: start.fleet))
        return report(points: statics + dynamics.prefix(dynamicRuns.count), tickPhases: Array(dynamics.dropFirst(dynamicRuns.count)), warmStart: start)
    }

    // MARK: - Steps

    /// One simulation to run.
    struct Run: Sendable {
        var policy: any ScalingPolicy
        var initial: PerRole<Int>
        var kind: FrontierPoint.Kind
        var split: PerRole<Int>? = nil
        var headroom: Double? = nil
        var firstTickSeconds: Double = 0
    }

    /// Every setting checked, before any simulation (`run` calls it too).
    public func validate() throws {
        guard jobs >= 1 else { throw FrontierStudyError("--jobs is \(jobs); give at least 1.") }
        guard (1...1_000).contains(tickPhases) else { throw FrontierStudyError("--tick-phases is \(tickPhases); give 1 (the default run alone) to 1000.") }
        if let bad = headroomSweep.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw FrontierStudyError("--headroom-sweep has \(bad); give positive numbers like 0.8,1.2.")
        }
        for name in baselines { _ = try PolicyCatalog.policy(named: name) }
        if let most = maxSplitInstances, most < 2 {
            throw FrontierStudyError("--max-total is \(most); a split needs at least 2 instances (one per role).")
        }
        if let warmStart {
            let gpus = input.profile.gpusPerInstance
            let needed = warmStart.prefill * gpus.prefill + warmStart.decode * gpus.decode
            let budget = min(input.gpuBudget, input.cluster.totalGPUs)
            guard warmStart.prefill >= 1, warmStart.decode >= 1, needed <= budget else {
                throw FrontierStudyError("--initial \(warmStart.prefill):\(warmStart.decode) needs \(needed) GPUs and one instance of each role at least; the budget is \(budget) GPUs with profile \(input.profile.name): give a split that fits.")
            }
        }
        guard !splits().isEmpty else {
            let gpus = input.profile.gpusPerInstance
            throw FrontierStudyError(
                "a GPU budget of \(min(input.gpuBudget, input.cluster.totalGPUs)) holds no split of one prefill and one decode "
                    + "instance (\(gpus.prefill + gpus.decode) GPUs with profile \(input.profile.name)); raise --budget-gpus or use a bigger --cluster."
            )
        }
    }

    private func chooseWarmStart(_ statics: [FrontierPoint]) throws -> (fleet: PerRole<Int>, rule: String) {
        if let warmStart { return (warmStart, "given") }
        guard let chosen = FrontierAnalysis.warmStart(statics: statics, percentile: input.slo.percentile),
              let fleet = chosen.point.split
        else { throw FrontierStudyError("no fixed split ran, so there is no warm start; pass --initial P:D.") }
        return (fleet, chosen.meetsPercentile
            ? "cheapest split meeting the SLO percentile"
            : "best-attainment split (none met the SLO percentile)")
    }

    private func dynamicRuns(from fleet: PerRole<Int>) throws -> [Run] {
        var runs = try baselines.map { name in
            Run(policy: try PolicyCatalog.policy(named: name), initial: fleet, kind: .dynamic)
        }
        runs.append(Run(policy: FulcrumPolicy(), initial: fleet, kind: .fulcrum, headroom: 1))
        for headroom in headroomSweep.sorted() where headroom != 1 {
            let policy = FulcrumPolicy(name: "fulcrum@\(ShortestDecimal.text(headroom))") { $0.headroom = headroom }
            runs.append(Run(policy: policy, initial: fleet, kind: .fulcrum, headroom: headroom))
        }
        return runs
    }

    /// Fulcrum at its defaults with its first tick moved by k/n of its interval, k = 1…n − 1
    /// (k = 0 is the default run among the points).
    private func phaseRuns(from fleet: PerRole<Int>) -> [Run] {
        let interval = FulcrumPolicy().tickInterval
        return (1..<tickPhases).map { phase in
            let offset = interval * Double(phase) / Double(tickPhases)
            let policy = FulcrumPolicy(name: "fulcrum, first tick at \(ShortestDecimal.text(offset)) s")
            return Run(policy: policy, initial: fleet, kind: .fulcrum, headroom: 1, firstTickSeconds: offset)
        }
    }

    private func simulate(_ runs: [Run]) throws -> [FrontierPoint] {
        let input = self.input
        return try ParallelRunner.map(runs, width: jobs) { run in
            var runInput = input
            runInput.initialInstances = run.initial
            runInput.firstTickSeconds = run.firstTickSeconds
            let result = try Simulator.run(runInput, policy: run.policy).result
            return FrontierPoint(result: result, kind: run.kind, split: run.split, headroom: run.headroom)
        }
    }

    private func report(points: [FrontierPoint], tickPhases: [FrontierPoint], warmStart: (fleet: PerRole<Int>, rule: String)) -> FrontierReport {
        let statics = points.filter { $0.kind == .static }
        let fulcrum = points.first { $0.kind == .fulcrum && $0.headroom == 1 } ?? points[points.count - 1]
        let feasible = input.trace.count {
            input.isFeasible(inputTokens: $0.inputTokens, outputTokens: $0.outputTokens)
        }
        return FrontierReport(
            schemaVersion: FrontierReport.currentSchemaVersion,
            label: label,
            profile: input.profile.name,
            gpuBudget: input.gpuBudget,
            sloTTFTSeconds: input.slo.ttftSeconds,
            sloTPOTSeconds: input.slo.tpotSeconds,
            sloPercentile: input.slo.percentile,
            requests: input.trace.count,
            feasibleRequests: feasible,
            infeasibleRequests: input.trace.count - feasible,
            warmStart: warmStart.fleet,
            warmStartRule: warmStart.rule,
            points: points,
            paretoFrontier: FrontierAnalysis.paretoFrontier(statics),
            lowerBound: GPUHourLowerBound(trace: input.trace, profile: input.profile, slo: input.slo, windowSeconds: lowerBoundWindowSeconds),
            summary: FrontierSummary(point: fulcrum, statics: statics),
            tickPhases: ([fulcrum] + tickPhases).map { FrontierSummary(point: $0, statics: statics) }
        )
    }
}

/// A frontier study that cannot run as configured; the message names the setting and the fix.
public struct FrontierStudyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
