// `--picked-from-other-hours`: the fixed split an operator picks by hand from past traffic,
// judged on an hour it was not picked on, beside Fulcrum on that hour. No simulation: it reads
// the reports that runs at seeds 42, 7 and 11 wrote (every fixed split of every hour is in them).
import Foundation
import FulcrumSim

/// The hours of each shape the benchmark has reports for: the bundled traces and the held-out seeds.
let reportedSeeds: [UInt64] = [42, 7, 11]

func reportDirectory(seed: UInt64) -> String {
    seed == 42 ? "out/frontier" : "out/frontier/seed-\(seed)"
}

/// A report an earlier run wrote, or a sentence saying which run writes it.
func writtenReport(_ benchmarkCase: Case, seed: UInt64) throws -> FrontierReport {
    let path = "\(reportDirectory(seed: seed))/\(benchmarkCase.fileStem).json"
    guard let data = FileManager.default.contents(atPath: path) else {
        let run = seed == 42 ? "FrontierBenchmark" : "FrontierBenchmark --seed \(seed)"
        throw BenchmarkError("\(path) is missing; run `swift run -c release \(run)` first.")
    }
    return try JSONDecoder().decode(FrontierReport.self, from: data)
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// For each case and hour: the split the other hours pick, that split on this hour, Fulcrum on
/// this hour, and totals over every hour.
func printSplitsPickedFromOtherHours(_ chosen: [Case]) throws {
    emit("| case | hour (seed) | split picked on the other hours | it on this hour (feasible attainment @ GPU·h) | Fulcrum on this hour | Fulcrum's GPU·h ÷ the picked split's |")
    emit("|---|---|---|---|---|---:|")
    var totals = (picked: 0.0, fulcrum: 0.0, pickedMisses: 0, fulcrumMisses: 0, hours: 0)
    for benchmarkCase in chosen {
        let reports = try reportedSeeds.map { try writtenReport(benchmarkCase, seed: $0) }
        for (index, seed) in reportedSeeds.enumerated() {
            let report = reports[index]
            let others = reports.indices.filter { $0 != index }.map { reports[$0].statics }
            guard let picked = FrontierAnalysis.splitPickedFromOtherHours(others, percentile: report.sloPercentile),
                  let run = report.statics.first(where: { $0.name == picked.split })
            else { continue }
            let fulcrum = report.summary
            let rule = picked.meetsPercentile ? "" : " (none met 99 % on them; best worst hour)"
            emit("| \(benchmarkCase.name) | \(seed) | \(picked.split)\(rule) | \(percent(run.sloAttainmentFeasible)) @ \(hours(run.gpuHours)) "
                 + "| \(percent(fulcrum.sloAttainmentFeasible)) @ \(hours(fulcrum.gpuHours)) | \(String(format: "%.2f", fulcrum.gpuHours / run.gpuHours)) |")
            totals.picked += run.gpuHours
            totals.fulcrum += fulcrum.gpuHours
            totals.pickedMisses += run.sloAttainmentFeasible < report.sloPercentile ? 1 : 0
            totals.fulcrumMisses += fulcrum.sloAttainmentFeasible < report.sloPercentile ? 1 : 0
            totals.hours += 1
        }
    }
    emit("")
    emit(String(format: "Over %d hours: picked splits %.1f GPU·h, below the SLO percentile in %d; Fulcrum %.1f GPU·h, below it in %d.",
                totals.hours, totals.picked, totals.pickedMisses, totals.fulcrum, totals.fulcrumMisses))
}
