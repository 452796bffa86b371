// The controller-quality acceptance benchmark (docs/evaluation.md): for the three bundled
// production look-alike traces × two profiles, every fixed split within the budget, the
// dynamic baselines and Fulcrum, compared as a frontier of feasible SLO attainment against
// GPU-hours. Prints one table; writes each case's report and plot to out/frontier/.
//
//   swift run -c release FrontierBenchmark [CASE-NAME-SUBSTRING] [--seed N]
//   swift run -c release FrontierBenchmark --picked-from-other-hours   (after seeds 42, 7, 11)
//   swift run -c release FrontierBenchmark --steady-state              (after seeds 42, 7, 11)
//   swift run -c release FrontierBenchmark --traces DIR                (DIR/chat.*, code.*, long-context.*)
//
// The bundled traces are `fulcrum-sim generate NAME --seed 42`, the seed the controller was
// tuned on; `--seed N` generates the same three shapes with another seed instead (held-out
// look-alikes: the controller never saw them) and writes to out/frontier/seed-N/.
// `--picked-from-other-hours` reads those reports and judges, on each hour, the split an
// operator would pick by hand from the other two (see PickedFromOtherHours.swift);
// `--steady-state` runs Fulcrum through three other hours of each shape before the judged one
// (see SteadyState.swift). `--traces DIR` runs the same cases on trace files of one's own, such
// as the public acceptance set (see TraceSource.swift), and writes to out/frontier/traces-DIR/.
//
// A benchmark, not a test: it prints figures and asserts nothing.
import Foundation
import FulcrumCore
import FulcrumSim
import FulcrumTraces

struct Case {
    var trace: String
    var profile: String
    var budgetGPUs: Int
    var loadScale: Double

    var name: String { "\(trace) ×\(ShortestDecimal.text(loadScale)) \(profile) \(budgetGPUs) GPUs" }
    var fileStem: String { "\(trace)-x\(ShortestDecimal.text(loadScale))-\(profile)" }
}

/// Loads where some fixed split within the budget reaches 99 % of feasible requests.
let cases = [
    Case(trace: "chat", profile: "llama3-8b-h100", budgetGPUs: 32, loadScale: 8),
    Case(trace: "code", profile: "llama3-8b-h100", budgetGPUs: 32, loadScale: 8),
    Case(trace: "long-context", profile: "llama3-8b-h100", budgetGPUs: 32, loadScale: 2),
    Case(trace: "chat", profile: "llama3-70b-h100-tp4", budgetGPUs: 128, loadScale: 3),
    Case(trace: "code", profile: "llama3-70b-h100-tp4", budgetGPUs: 128, loadScale: 3),
    Case(trace: "long-context", profile: "llama3-70b-h100-tp4", budgetGPUs: 128, loadScale: 1),
]

func percent(_ value: Double?) -> String {
    value.map { String(format: "%.2f %%", $0 * 100) } ?? "–"
}

func hours(_ value: Double?) -> String {
    value.map { String(format: "%.2f", $0) } ?? "–"
}

/// A static ratio, or "none" where no fixed split reaches the attainment.
func ratio(_ value: Double?) -> String {
    value.map { String(format: "%.2f", $0) } ?? "none"
}

/// An attainment margin in points, or `none` where there is no split to hold it against.
func margin(_ value: Double?, none: String) -> String {
    value.map { String(format: "%+.2f pt", $0 * 100) } ?? none
}

/// Of the default baselines, `hindsight-lead` at planned utilisations 0.3–0.9: what knowing the
/// trace is worth when workers take the profile's start-up time (its cheapest point reaching
/// 99 % is printed in its own column).
let foresightSweep = FrontierStudy.foresightSweep

func study(_ benchmarkCase: Case, source: TraceSource) throws -> FrontierReport {
    let input = try caseInput(benchmarkCase, requests: try source.requests(benchmarkCase.trace))
    // The plot adds the profile, budget and SLO to the label itself.
    return try FrontierStudy(input: input, label: "\(benchmarkCase.trace) ×\(ShortestDecimal.text(benchmarkCase.loadScale))").run()
}

/// A case's cluster, profile, budget and SLO on `requests`, scaled by its load.
func caseInput(_ benchmarkCase: Case, requests unscaled: [TraceRequest]) throws -> SimulationInput {
    let requests = try TraceTransform.loadScale(benchmarkCase.loadScale, seed: 1).apply(to: unscaled)
    let cluster = ClusterSpec(nodes: (0..<(benchmarkCase.budgetGPUs / 8)).map { ClusterSpec.Node(name: "node\($0)", gpus: 8) })
    let input = SimulationInput(
        trace: requests,
        cluster: cluster,
        profile: try Profile.named(benchmarkCase.profile),
        slo: ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.05, percentile: 0.99),
        gpuBudget: benchmarkCase.budgetGPUs,
        initialInstances: PerRole(repeating: 0)
    )
    return input
}

func row(_ benchmarkCase: Case, _ report: FrontierReport) -> String {
    let summary = report.summary
    let meeting = report.paretoFrontier.first { $0.sloAttainmentFeasible >= report.sloPercentile }
    let baselines = report.baselines.filter { !foresightSweep.contains($0.name) }
        .map { "\($0.name) \(percent($0.sloAttainmentFeasible)) @ \(hours($0.gpuHours))" }
    return "| \(benchmarkCase.name) | \(report.infeasibleRequests) of \(report.requests) | \(hours(report.lowerBound.gpuHours)) "
        + "| \(meeting.map { "\($0.name) \(percent($0.sloAttainmentFeasible)) @ \(hours($0.gpuHours))" } ?? "none reaches 99 %") "
        + "| \(percent(summary.sloAttainmentFeasible)) @ \(hours(summary.gpuHours)) | \(ratio(summary.staticRatio)) | \(margin(summary.attainmentMargin, none: "no split that cheap")) "
        + "| \(tickPhaseSpread(report)) "
        + "| \(String(format: "%.2f", summary.roleFlipsPer10Minutes)) | \(String(format: "%.1f", summary.scaleEventsPerHour)) "
        + "| \(foresight(report)) | \(baselines.joined(separator: "; ")) |"
}

/// Fulcrum's GPU-hours, static ratio and margin over its tick phases, as ranges.
func tickPhaseSpread(_ report: FrontierReport) -> String {
    func range(_ figure: (FrontierSummary) -> Double?, _ format: String, scale: Double = 1) -> String {
        report.tickPhaseRangeText(figure, format: format, scale: scale) ?? "none at some phase"
    }
    return "\(range({ $0.gpuHours }, "%.2f")) GPU·h, ratio \(range({ $0.staticRatio }, "%.2f")), margin \(range({ $0.attainmentMargin }, "%+.2f", scale: 100)) pt"
}

/// The cheapest `hindsight-lead` point reaching the SLO percentile, with its static ratio.
func foresight(_ report: FrontierReport) -> String {
    let meeting = report.baselines.filter { foresightSweep.contains($0.name) && $0.sloAttainmentFeasible >= report.sloPercentile }
    guard let cheapest = meeting.min(by: { $0.gpuHours < $1.gpuHours }) else { return "none reaches 99 %" }
    let staticRatio = FrontierSummary(point: cheapest, statics: report.points.filter { $0.kind == .static }).staticRatio
    return "\(cheapest.name) \(percent(cheapest.sloAttainmentFeasible)) @ \(hours(cheapest.gpuHours)), ratio \(ratio(staticRatio))"
}

/// Writes a line at once (stdout is block-buffered when piped, and a run takes many minutes).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

var arguments = Array(CommandLine.arguments.dropFirst())
var seed: UInt64?
if let flag = arguments.firstIndex(of: "--seed") {
    guard flag + 1 < arguments.count, let value = UInt64(arguments[flag + 1]) else {
        FileHandle.standardError.write(Data("--seed needs a whole number, e.g. --seed 7.\n".utf8))
        exit(2)
    }
    seed = value
    arguments.removeSubrange(flag...(flag + 1))
}
var source = seed.map(TraceSource.lookAlike) ?? .bundled
if let flag = arguments.firstIndex(of: "--traces") {
    guard flag + 1 < arguments.count else {
        FileHandle.standardError.write(Data("--traces needs a directory holding chat.*, code.* and long-context.* trace files.\n".utf8))
        exit(2)
    }
    guard seed == nil else {
        FileHandle.standardError.write(Data("--traces and --seed both choose the traces; give one of them.\n".utf8))
        exit(2)
    }
    source = .directory(arguments[flag + 1])
    arguments.removeSubrange(flag...(flag + 1))
}
let pickedFromOtherHours = arguments.contains("--picked-from-other-hours")
let steadyState = arguments.contains("--steady-state")
arguments.removeAll { $0 == "--picked-from-other-hours" || $0 == "--steady-state" }
let filter = arguments.first
let chosen = cases.filter { filter.map($0.name.contains) ?? true }
if pickedFromOtherHours || steadyState {
    if case .directory = source {
        FileHandle.standardError.write(Data("--picked-from-other-hours and --steady-state read the look-alikes' reports; run them without --traces.\n".utf8))
        exit(2)
    }
    do {
        try pickedFromOtherHours ? printSplitsPickedFromOtherHours(chosen) : printSteadyState(chosen)
        exit(0)
    } catch let error as BenchmarkError {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(1)
    }
}
do {
    try source.check(chosen)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
let outputDirectory = source.outputDirectory
emit("| case | infeasible | lower bound GPU·h | cheapest fixed split ≥ 99 % | fulcrum (feasible) @ GPU·h | static ratio | margin vs splits ≤ its GPU·h | over \(FrontierStudy.defaultTickPhases) tick phases | flips / 10 min | scale events / h | foresight with start-ups | baselines |")
emit("|---|---|---:|---|---|---:|---|---|---:|---:|---|---|")
try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
for benchmarkCase in chosen {
    let started = Date()
    let report: FrontierReport
    do {
        report = try study(benchmarkCase, source: source)
    } catch {
        // A bad trace file (--traces) says which file and what is wrong with it.
        FileHandle.standardError.write(Data("\(benchmarkCase.name): \(error)\n".utf8))
        exit(1)
    }
    emit(row(benchmarkCase, report))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(report).write(to: URL(fileURLWithPath: "\(outputDirectory)/\(benchmarkCase.fileStem).json"))
    try Data(FrontierSVGWriter.render(report).utf8).write(to: URL(fileURLWithPath: "\(outputDirectory)/\(benchmarkCase.fileStem).svg"))
    FileHandle.standardError.write(Data(String(format: "%@: %d runs in %.0f s\n", benchmarkCase.name, report.points.count, Date().timeIntervalSince(started)).utf8))
}
