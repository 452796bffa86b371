// `--steady-state`: Fulcrum judged on an hour it meets after three hours of the same shape,
// as a daemon that has run for a while does. The frontier's runs start cold, and a cold
// controller holds the fleet it took over while it learns (four start-up times): that
// flatters an hour whose first ramp comes early, and hides what the controller does with what
// it learned and forgot. Here the controller first runs through three other hours of the shape
// (the scenario generated with seed + 3000, + 2000, + 1000, in that order), then through the
// judged hour; only that hour's requests and GPU-hours count, against the fixed splits of that
// hour's report (runs at seeds 42, 7 and 11 wrote them). Three hours, so that the daemon's
// start (a first start-up time counted as a burst out of quiet) has left the growth memory.
import Foundation
import FulcrumCore
import FulcrumSim
import FulcrumTraces

/// Hours of the same shape the controller runs through before the judged one.
let warmUpHours = 3

/// Fulcrum's point on the judged hour of a run that began `warmUpHours` earlier: the requests
/// arriving in it and the GPU-seconds held from its start to the end of the run.
func steadyStatePoint(_ benchmarkCase: Case, seed: UInt64, report: FrontierReport) throws -> FrontierPoint {
    func shifted(_ requests: [TraceRequest], hours: Int) -> [TraceRequest] {
        requests.map { request in
            var moved = request
            moved.arrival += Double(hours) * 3600
            return moved
        }
    }
    var requests: [TraceRequest] = []
    for hour in 0..<warmUpHours {
        let earlier = UInt64(1000 * (warmUpHours - hour))
        requests += shifted(try TraceGenerator.generate(scenario: Scenario.builtin(benchmarkCase.trace), seed: seed + earlier), hours: hour)
    }
    requests += shifted(try TraceSource.lookAlike(seed: seed).requests(benchmarkCase.trace), hours: warmUpHours)
    let hour = Double(warmUpHours) * 3600
    var input = try caseInput(benchmarkCase, requests: requests)
    input.initialInstances = report.warmStart
    let outcome = try Simulator.run(input, policy: FulcrumPolicy())
    let end = outcome.result.simulatedSeconds
    let gpuSeconds = outcome.workers.reduce(0.0) { sum, worker in
        let held = min(worker.stoppedAt ?? end, end) - max(worker.startedAt, hour)
        return sum + Double(worker.gpus.count) * max(0, held)
    }
    let feasible = outcome.requests.filter {
        $0.arrival >= hour && input.isFeasible(inputTokens: $0.inputTokens, outputTokens: $0.outputTokens)
    }
    var point = FrontierPoint(result: outcome.result, kind: .fulcrum, headroom: 1)
    point.gpuHours = gpuSeconds / 3600
    point.sloAttainmentFeasible = feasible.isEmpty ? 1 : Double(feasible.count(where: \.meetsSLO)) / Double(feasible.count)
    return point
}

/// For each case and hour: Fulcrum on it cold (the report) and after three hours of the same
/// shape, each with its static ratio and margin against that hour's fixed splits.
func printSteadyState(_ chosen: [Case]) throws {
    emit("| case | hour (seed) | cheapest fixed split ≥ 99 % | Fulcrum cold (the frontier's run) | Fulcrum after three hours of the same shape | static ratio, cold → after | margin, cold → after |")
    emit("|---|---|---|---|---|---|---|")
    let jobs = chosen.flatMap { benchmarkCase in reportedSeeds.map { (benchmarkCase, $0) } }
    let reports = try jobs.map { try writtenReport($0.0, seed: $0.1) }
    let points = try ParallelRunner.map(Array(jobs.indices), width: ProcessInfo.processInfo.activeProcessorCount) { index in
        try steadyStatePoint(jobs[index].0, seed: jobs[index].1, report: reports[index])
    }
    var totals = (cold: 0.0, after: 0.0, coldMisses: 0, afterMisses: 0)
    for (index, (benchmarkCase, seed)) in jobs.enumerated() {
        let report = reports[index]
        let cold = report.summary
        let after = FrontierSummary(point: points[index], statics: report.statics)
        let meeting = report.paretoFrontier.first { $0.sloAttainmentFeasible >= report.sloPercentile }
        emit("| \(benchmarkCase.name) | \(seed) | \(meeting.map { "\($0.name) \(percent($0.sloAttainmentFeasible)) @ \(hours($0.gpuHours))" } ?? "none") "
             + "| \(percent(cold.sloAttainmentFeasible)) @ \(hours(cold.gpuHours)) | \(percent(after.sloAttainmentFeasible)) @ \(hours(after.gpuHours)) "
             + "| \(ratio(cold.staticRatio)) → \(ratio(after.staticRatio)) | \(margin(cold.attainmentMargin, none: "–")) → \(margin(after.attainmentMargin, none: "–")) |")
        totals.cold += cold.gpuHours
        totals.after += after.gpuHours
        totals.coldMisses += cold.sloAttainmentFeasible < report.sloPercentile ? 1 : 0
        totals.afterMisses += after.sloAttainmentFeasible < report.sloPercentile ? 1 : 0
    }
    emit("")
    emit(String(format: "Over %d hours: cold %.1f GPU·h, below the SLO percentile in %d; after three hours of the same shape %.1f GPU·h, below it in %d.",
                jobs.count, totals.cold, totals.coldMisses, totals.after, totals.afterMisses))
}
