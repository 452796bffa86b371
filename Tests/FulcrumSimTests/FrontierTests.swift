import Foundation
import FulcrumCore
import FulcrumTraces
import Testing
@testable import FulcrumSim

/// A profile with round numbers, so latencies and throughputs can be worked out by hand.
private enum RoundProfile {
    /// Prefill: 1 ms per token, no overhead or attention, 1000-token batches → 1000 tokens/s.
    /// Decode: step 10 ms + 1 ms per sequence, no context cost; KV for `kvCapacity` tokens.
    /// KV transfer: 1 000 bytes per token at 1 MB/s → 1 ms per prompt token.
    static func make(gpus: PerRole<Int> = PerRole(prefill: 1, decode: 2), kvCapacity: Int = 10_000) -> Profile {
        Profile(
            name: "round", model: "test",
            gpusPerInstance: gpus,
            prefill: PrefillTimeModel(batchOverheadSeconds: 0, perTokenSeconds: 0.001, attentionPerTokenSquaredSeconds: 0, maxBatchTokens: 1000),
            decode: DecodeStepModel(stepBaseSeconds: 0.010, stepPerSequenceSeconds: 0.001, stepPerContextTokenSeconds: 0,
                                    kvCapacityTokens: kvCapacity, maxBatch: 100),
            kvBytesPerToken: 1000, kvTransferBytesPerSecond: 1_000_000, startupSeconds: 60
        )
    }
}

private func point(_ name: String, _ gpuHours: Double, _ attainment: Double, kind: FrontierPoint.Kind = .static) -> FrontierPoint {
    FrontierPoint(name: name, kind: kind, gpuHours: gpuHours, sloAttainment: attainment, sloAttainmentFeasible: attainment)
}

@Suite("Frontier arithmetic")
struct FrontierAnalysisTests {
    let statics = [
        point("static:1:1", 2, 0.80),
        point("static:2:1", 3, 0.95),
        point("static:1:2", 3, 0.90),   // dominated by 2:1 (same cost, worse)
        point("static:2:2", 4, 0.99),
        point("static:3:1", 4, 0.99),   // equal to 2:2 on both axes: the first is kept
        point("static:3:3", 6, 0.985),  // dominated by 2:2 (cheaper and better)
        point("static:4:4", 8, 1.0),
    ]

    @Test func paretoFrontierKeepsOnlyUndominatedSplitsCheapestFirst() {
        #expect(FrontierAnalysis.paretoFrontier(statics).map(\.name) == ["static:1:1", "static:2:1", "static:2:2", "static:4:4"])
        #expect(FrontierAnalysis.paretoFrontier([]).isEmpty)
    }

    @Test func staticRatioAndMarginAgainstTheRightSplits() throws {
        let fulcrum = point("fulcrum", 3.5, 0.99, kind: .fulcrum)
        // Cheapest split with ≥ 0.99 is static:2:2 at 4 GPU-hours: 3.5 / 4.
        let ratio = try #require(FrontierAnalysis.staticRatio(of: fulcrum, statics: statics))
        #expect(ratio.ratio == 0.875)
        #expect(ratio.reference.name == "static:2:2")
        // Best split within 3.5 GPU-hours is static:2:1 at 0.95: margin 0.04.
        let margin = try #require(FrontierAnalysis.attainmentMargin(of: fulcrum, statics: statics))
        #expect(abs(margin.margin - 0.04) < 1e-12)
        #expect(margin.reference.name == "static:2:1")
    }

    @Test func noneWhenNoSplitReachesOrIsThatCheap() {
        let perfect = point("fulcrum", 10, 1.0 + 1e-9, kind: .fulcrum)
        #expect(FrontierAnalysis.staticRatio(of: perfect, statics: statics) == nil)
        let cheap = point("fulcrum", 1.5, 0.7, kind: .fulcrum)
        #expect(FrontierAnalysis.attainmentMargin(of: cheap, statics: statics) == nil)
        // A margin can be negative: within 2 GPU-hours static:1:1 does better.
        let worse = point("fulcrum", 2, 0.7, kind: .fulcrum)
        #expect(FrontierAnalysis.attainmentMargin(of: worse, statics: statics).map { abs($0.margin + 0.1) < 1e-12 } == true)
    }

    @Test func summaryWritesNoneAsNull() throws {
        let summary = FrontierSummary(point: point("fulcrum", 10, 1.0 + 1e-9, kind: .fulcrum), statics: statics)
        #expect(summary.staticRatio == nil && summary.staticRatioReference == nil)
        let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        #expect(json.contains("\"static_ratio\":null"))
        #expect(json.contains("\"attainment_margin_reference\":\"static:4:4\""))
    }

    @Test func warmStartIsTheCheapestSplitMeetingThePercentileElseTheBest() throws {
        let meeting = try #require(FrontierAnalysis.warmStart(statics: statics, percentile: 0.99))
        #expect(meeting.point.name == "static:2:2" && meeting.meetsPercentile)
        let unreachable = try #require(FrontierAnalysis.warmStart(statics: Array(statics.prefix(4)), percentile: 0.999))
        #expect(unreachable.point.name == "static:2:2" && !unreachable.meetsPercentile)
    }

    @Test func splitPickedFromOtherHoursMeetsThePercentileInEveryHourAtTheFewestGPUHours() throws {
        // Hour one alone would pick 2:1 (0.99 at 3); hour two needs 2:2. Over both, 2:2 reaches
        // 0.99 everywhere at 8 GPU-hours, 3:1 at 8.5, and 2:1 misses in hour two.
        let hourOne = [point("static:2:1", 3, 0.99), point("static:2:2", 4, 0.995), point("static:3:1", 4, 0.99)]
        let hourTwo = [point("static:2:1", 3, 0.97), point("static:2:2", 4, 0.99), point("static:3:1", 4.5, 0.999),
                       point("static:5:5", 9, 1.0)]
        let picked = try #require(FrontierAnalysis.splitPickedFromOtherHours([hourOne, hourTwo], percentile: 0.99))
        #expect(picked.split == "static:2:2" && picked.meetsPercentile)
        // No split reaches 0.999 in both hours: the best worst hour wins (3:1's 0.99 against 2:2's 0.99,
        // tied, then fewer GPU-hours: 2:2 at 8 against 3:1 at 8.5).
        let unreachable = try #require(FrontierAnalysis.splitPickedFromOtherHours([hourOne, hourTwo], percentile: 0.999))
        #expect(unreachable.split == "static:2:2" && !unreachable.meetsPercentile)
        // 5:5 was not run in hour one, so it is never picked; nothing run in every hour: nil.
        #expect(FrontierAnalysis.splitPickedFromOtherHours([hourOne, [point("static:5:5", 9, 1.0)]], percentile: 0.99) == nil)
        #expect(FrontierAnalysis.splitPickedFromOtherHours([], percentile: 0.99) == nil)
    }
}

@Suite("Feasibility: what no configuration could serve in time")
struct FeasibilityTests {
    let profile = RoundProfile.make()

    @Test func idleLatencyIsPrefillPlusTransferAndABatchOfOne() {
        // 1500 tokens: chunks of 1000 and 500 → 1.5 s; transfer 1.5 s. Decode: 11 ms per step.
        let latency = profile.idleLatency(inputTokens: 1500, outputTokens: 50)
        #expect(abs(latency.ttft - 3.0) < 1e-12)
        #expect(abs((latency.tpot ?? 0) - 0.011) < 1e-12)
        // One output token: no transfer, no TPOT.
        let single = profile.idleLatency(inputTokens: 1500, outputTokens: 1)
        #expect(abs(single.ttft - 1.5) < 1e-12)
        #expect(single.tpot == nil)
    }

    @Test func feasibleOnlyWithinBothTargetsAndTheKVCache() {
        let slo = ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.05, percentile: 0.99)
        #expect(profile.isFeasible(inputTokens: 1000, outputTokens: 100, slo: slo))       // TTFT 2.0 s exactly
        #expect(!profile.isFeasible(inputTokens: 1001, outputTokens: 100, slo: slo))      // TTFT 2.002 s
        #expect(profile.isFeasible(inputTokens: 1500, outputTokens: 1, slo: slo))         // no transfer: 1.5 s
        #expect(!profile.isFeasible(inputTokens: 500, outputTokens: 100, slo: ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.010, percentile: 0.9)))
        #expect(!profile.isFeasible(inputTokens: 500, outputTokens: 9_600, slo: slo))     // 10 100 > 10 000 KV tokens
        #expect(profile.isFeasible(inputTokens: 400, outputTokens: 9_600, slo: slo))      // exactly fits
    }

    @Test func resultsCountInfeasibleRequestsAndTheAttainmentOverTheRest() throws {
        let trace = [
            TraceRequest(arrival: 0, inputTokens: 500, outputTokens: 20),
            TraceRequest(arrival: 1, inputTokens: 1500, outputTokens: 20),  // TTFT 3 s alone: infeasible
            TraceRequest(arrival: 2, inputTokens: 500, outputTokens: 9_800), // never admitted
            TraceRequest(arrival: 3, inputTokens: 200, outputTokens: 20),
        ]
        let input = SimulationInput(trace: trace, cluster: .uniform(nodes: 1, gpusPerNode: 8), profile: profile,
                                    slo: ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.05, percentile: 0.99),
                                    initialInstances: PerRole(prefill: 1, decode: 1))
        let result = try Simulator.run(input, policy: StaticPolicy(prefill: 1, decode: 1)).result
        #expect(result.feasibleRequests == 2 && result.infeasibleRequests == 2)
        #expect(result.sloAttainment == 0.5)
        #expect(result.sloAttainmentFeasible == 1)
    }
}

@Suite("GPU-hour lower bound")
struct LowerBoundTests {
    @Test func tinyTraceByHand() {
        // Prefill 1000 tokens/s (1 GPU); decode at the 50 ms target: batch ⌊(0.05 − 0.01)/0.001⌋ = 40,
        // step 50 ms → 800 tokens/s (2 GPUs); the KV cache (100 000 tokens) allows more than 40.
        let trace = [
            TraceRequest(arrival: 0, inputTokens: 500, outputTokens: 101),
            TraceRequest(arrival: 30, inputTokens: 500, outputTokens: 101),
            TraceRequest(arrival: 70, inputTokens: 2000, outputTokens: 401),
            TraceRequest(arrival: 75, inputTokens: 100, outputTokens: 99_950), // never admitted: left out
        ]
        let bound = GPUHourLowerBound(trace: trace, profile: RoundProfile.make(kvCapacity: 100_000),
                                      slo: ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.05, percentile: 0.9), windowSeconds: 60)
        // Window 0: 1000 prompt tokens → 1 s × 1 GPU; 200 decode tokens → 0.25 s × 2 GPUs.
        // Window 1: 2000 prompt tokens → 2 s × 1 GPU; 400 decode tokens → 0.5 s × 2 GPUs.
        #expect(bound.windows == 2)
        #expect(abs(bound.prefillGPUHours * 3600 - 3.0) < 1e-9)
        #expect(abs(bound.decodeGPUHours * 3600 - 1.5) < 1e-9)
        #expect(abs(bound.gpuHours * 3600 - 4.5) < 1e-9)
    }

    @Test func noPolicyInTheStudyBeatsIt() throws {
        let report = try FrontierStudyTests.tinyStudy().run()
        for point in report.points {
            #expect(point.gpuHours >= report.lowerBound.gpuHours, "\(point.name) used \(point.gpuHours)")
        }
    }
}

@Suite("Frontier study")
struct FrontierStudyTests {
    static func tinyStudy(jobs: Int = 2) -> FrontierStudy {
        let trace = (0..<240).map { index in
            TraceRequest(arrival: Double(index) * 0.5, inputTokens: 300 + (index * 37) % 400, outputTokens: 20 + (index * 13) % 60)
        }
        let input = SimulationInput(trace: trace, cluster: .uniform(nodes: 1, gpusPerNode: 4), profile: RoundProfile.make(gpus: PerRole(prefill: 1, decode: 1)),
                                    slo: ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.05, percentile: 0.99),
                                    initialInstances: PerRole(repeating: 0))
        return FrontierStudy(input: input, label: "tiny", baselines: ["dynamo-load", "oracle"], headroomSweep: [0.8, 1, 1.2],
                             maxSplitInstances: 3, jobs: jobs)
    }

    @Test func splitsFitTheBudgetAndTheInstanceCap() {
        #expect(Self.tinyStudy().splits() == [PerRole(prefill: 1, decode: 1), PerRole(prefill: 1, decode: 2), PerRole(prefill: 2, decode: 1)])
        var tp4 = Self.tinyStudy()
        tp4.input.profile = RoundProfile.make(gpus: PerRole(prefill: 4, decode: 4))
        tp4.input.cluster = .uniform(nodes: 16, gpusPerNode: 8)
        tp4.input.gpuBudget = 128
        tp4.maxSplitInstances = nil
        #expect(tp4.splits().count == 31 * 32 / 2)  // P + D ≤ 32, both ≥ 1
    }

    @Test func sameReportTwiceWhateverTheThreads() throws {
        let first = try Self.tinyStudy(jobs: 2).run()
        let second = try Self.tinyStudy(jobs: 1).run()
        #expect(first == second)
        #expect(first.points.map(\.name) == [
            "static:1:1", "static:1:2", "static:2:1", "dynamo-load", "hindsight-mean", "fulcrum", "fulcrum@0.8", "fulcrum@1.2",
        ])
        #expect(first.statics.allSatisfy { $0.split != nil && $0.scaleActions == 0 })
        #expect(first.warmStartRule != "given")
        #expect(first.summary.policy == "fulcrum")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(first) == encoder.encode(second))
        // Each point carries its GPU-hours by role, which add up to its total.
        for point in first.points {
            let byRole = try #require(point.gpuHoursByRole)
            #expect(abs(byRole.prefill + byRole.decode - point.gpuHours) < 1e-9)
        }
        let decoded = try JSONDecoder().decode(FrontierReport.self, from: encoder.encode(first))
        #expect(decoded.points.map(\.gpuHoursByRole) == first.points.map(\.gpuHoursByRole))
    }

    @Test("Fulcrum at its defaults runs at each tick phase: the default run first, each from its own first tick, none among the points")
    func tickPhases() throws {
        var study = Self.tinyStudy()
        study.tickPhases = 4
        let report = try study.run()
        let phases = try #require(report.tickPhases)
        #expect(phases.map(\.policy) == ["fulcrum", "fulcrum, first tick at 2.5 s", "fulcrum, first tick at 5 s", "fulcrum, first tick at 7.5 s"])
        #expect(phases[0] == report.summary)
        #expect(!report.points.contains { $0.name.hasPrefix("fulcrum, first tick") })
        // The phase run is the simulation with that first tick, and its decisions start there.
        var input = study.input
        input.initialInstances = report.warmStart
        input.firstTickSeconds = 5
        input.recordSnapshots = true
        let outcome = try Simulator.run(input, policy: FulcrumPolicy(name: "fulcrum, first tick at 5 s"))
        #expect(outcome.snapshots.first?.time.seconds == 5)
        #expect(phases[2] == FrontierSummary(point: FrontierPoint(result: outcome.result, kind: .fulcrum, headroom: 1), statics: report.statics))
        let gpuHours = try #require(report.tickPhaseRange { $0.gpuHours })
        #expect(phases.allSatisfy { gpuHours.contains($0.gpuHours) } && gpuHours.contains(report.summary.gpuHours))
        // One phase is the default run alone; none is refused, as is a first tick before t = 0.
        study.tickPhases = 1
        #expect(try study.run().tickPhases?.map(\.policy) == ["fulcrum"])
        study.tickPhases = 0
        #expect(throws: FrontierStudyError.self) { try study.validate() }
        input.firstTickSeconds = -1
        #expect(throws: SimulationInputError.self) { try Simulator.run(input, policy: FulcrumPolicy()) }
    }

    @Test func givenWarmStartAndBadSettingsAreReported() throws {
        var study = Self.tinyStudy()
        study.warmStart = PerRole(prefill: 1, decode: 1)
        study.headroomSweep = []
        study.baselines = []
        let report = try study.run()
        #expect(report.warmStart == PerRole(prefill: 1, decode: 1) && report.warmStartRule == "given")
        study.baselines = ["nonsense"]
        #expect(throws: PolicyNameError.self) { try study.run() }
        study.baselines = []
        study.headroomSweep = [0]
        #expect(throws: FrontierStudyError.self) { try study.run() }
        // A warm start the budget cannot hold is refused before any simulation, not after the fixed splits.
        study.headroomSweep = []
        study.warmStart = PerRole(prefill: 100, decode: 100)
        let refused = #expect(throws: FrontierStudyError.self) { try study.validate() }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("--initial 100:100 needs 200 GPUs"), "\(String(describing: refused))")
    }
}

@Suite("Frontier plot")
struct FrontierPlotTests {
    @Test func aBaselineAtSeveralSettingsIsOneSweep() {
        let baselines = ["dynamo-sla", "hindsight-lead:0.9", "hindsight-mean", "hindsight-lead:0.3", "other:1", "hindsight-lead:0.6"]
            .map { point($0, 1, 0.9, kind: .dynamic) }
        let (singles, sweeps) = BaselineSweep.group(baselines)
        #expect(singles.map(\.name) == ["dynamo-sla", "hindsight-mean", "other:1"], "a setting run once stays a single marker")
        #expect(sweeps.map(\.policy) == ["hindsight-lead"])
        #expect(sweeps.first?.members.map(\.value) == [0.3, 0.6, 0.9])
        #expect(sweeps.first?.members.map(\.point.name) == ["hindsight-lead:0.3", "hindsight-lead:0.6", "hindsight-lead:0.9"])
    }

    @Test func sweepIsDrawnAsOneDashedCurveWithOneLegendLine() throws {
        var study = FrontierStudyTests.tinyStudy()
        study.baselines = ["hindsight-mean", "hindsight-lead:0.5", "hindsight-lead:0.7", "hindsight-lead:0.9"]
        let svg = FrontierSVGWriter.render(try study.run())
        let curves = svg.split(separator: "\n").filter { $0.contains("stroke=\"\(FrontierSVGWriter.sweepColors[0])\"") && $0.hasPrefix("<path") }
        #expect(curves.count == 1)
        #expect(curves.first.map { $0.split(separator: "L").count } == 3, "one segment to each further point")
        #expect(svg.contains(">hindsight-lead:0.5–0.9</text>"), "the legend names the sweep once with its range")
        #expect(!svg.contains(">hindsight-lead:0.7</text>"), "no legend line or marker label per setting")
        #expect(svg.contains(">hindsight-mean</text>"))
    }
}

@Suite("Policy names")
struct PolicyNameTests {
    @Test func oracleIsADeprecatedAliasOfHindsightMean() throws {
        #expect(try PolicyCatalog.policy(named: "oracle").name == "hindsight-mean")
        #expect(try PolicyCatalog.policy(named: "hindsight-mean").name == "hindsight-mean")
        #expect(PolicyCatalog.deprecatedAliases["oracle"] == "hindsight-mean")
        #expect(!PolicyCatalog.names.contains("oracle"))
        #expect(throws: PolicyNameError(name: "orcale")) { try PolicyCatalog.policy(named: "orcale") }
    }

    @Test func hindsightLeadTakesAPlannedUtilisation() throws {
        #expect(try PolicyCatalog.policy(named: "hindsight-lead").name == "hindsight-lead")
        let lead = try PolicyCatalog.policy(named: "hindsight-lead:0.7")
        #expect(lead.name == "hindsight-lead:0.7")
        #expect(!lead.startsInstantly)
        for bad in ["hindsight-lead:0", "hindsight-lead:1.5", "hindsight-lead:x", "hindsight-lead:"] {
            #expect(throws: PolicyNameError(name: bad)) { try PolicyCatalog.policy(named: bad) }
        }
        #expect(PolicyNameError(name: "hindsight-lead:2").description
            == "policy \"hindsight-lead:2\" needs a planned utilisation above 0 and at most 1 after the colon, e.g. hindsight-lead:0.7.")
        #expect(PolicyNameError(name: "static:0:0").description == "policy \"static:0:0\" needs two whole instance counts of at least 1 (a role with none serves no request), e.g. static:2:6.")
        #expect(throws: PolicyNameError(name: "static:0:1")) { try PolicyCatalog.policy(named: "static:0:1") }
        #expect(PolicyNameError(name: "hindsight-laed").description.hasPrefix("unknown policy \"hindsight-laed\"; use one of fulcrum,"))
    }

    @Test func fulcrumTakesADisplayName() {
        #expect(FulcrumPolicy().name == "fulcrum")
        #expect(FulcrumPolicy(name: "fulcrum@0.8") { $0.headroom = 0.8 }.name == "fulcrum@0.8")
    }
}
