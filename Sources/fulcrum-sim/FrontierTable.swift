import Foundation
import FulcrumSim

/// What `frontier` prints: the setting, the summary for Fulcrum, and the dynamic points and
/// the fixed-split Pareto frontier as one table (never all the splits).
enum FrontierTable {
    static func render(_ report: FrontierReport) -> String {
        let bound = report.lowerBound
        let heading: [String] = [
            "\(report.label): \(report.requests) requests (\(report.infeasibleRequests) infeasible); profile \(report.profile); "
                + "budget \(report.gpuBudget) GPUs; SLO TTFT ≤ \(ShortestDecimal.text(report.sloTTFTSeconds)) s, TPOT ≤ \(ShortestDecimal.text(report.sloTPOTSeconds * 1000)) ms "
                + "for \(percent(report.sloPercentile)) of requests",
            "\(report.statics.count) fixed splits, \(report.paretoFrontier.count) on the Pareto frontier; dynamic policies started from "
                + "\(report.warmStart.prefill):\(report.warmStart.decode) (\(report.warmStartRule))",
            String(format: "GPU-hour lower bound %.2f (prefill %.2f + decode %.2f, %.0f s windows)",
                   bound.gpuHours, bound.prefillGPUHours, bound.decodeGPUHours, bound.windowSeconds),
            "",
            summary(report.summary),
        ]
        let points = ["", table(report.baselines + report.fulcrumSweep, frontier: report.paretoFrontier)]
        return (heading + tickPhaseSpread(report) + points).joined(separator: "\n")
    }

    static func summary(_ summary: FrontierSummary) -> String {
        let ratio = summary.staticRatio.map { String(format: "%.2f", $0) + " (against \(summary.staticRatioReference ?? "?"))" }
            ?? "none (no fixed split reaches \(percent(summary.sloAttainmentFeasible)))"
        let margin = summary.attainmentMargin.map {
            String(format: "%+.2f points", $0 * 100) + " (against \(summary.attainmentMarginReference ?? "?"))"
        } ?? String(format: "no split that cheap (%.2f GPU-hours)", summary.gpuHours)
        return [
            "\(summary.policy): " + String(format: "%.2f GPU-hours, ", summary.gpuHours)
                + "\(percent(summary.sloAttainmentFeasible)) of feasible requests within the SLO",
            "  static ratio      \(ratio)",
            "  attainment margin \(margin)",
            String(format: "  role flips        %.2f per 10 minutes", summary.roleFlipsPer10Minutes),
            String(format: "  scale events      %.1f per hour", summary.scaleEventsPerHour),
        ].joined(separator: "\n")
    }

    /// How far Fulcrum's figures moved with where its ticks fall (nothing with one phase).
    static func tickPhaseSpread(_ report: FrontierReport) -> [String] {
        guard let phases = report.tickPhases, phases.count > 1 else { return [] }
        func range(_ figure: (FrontierSummary) -> Double?, _ format: String, scale: Double = 1, none: String) -> String {
            report.tickPhaseRangeText(figure, format: format, scale: scale) ?? none
        }
        return [
            "  over \(phases.count) tick phases (Fulcrum's first decision moved within its tick interval):",
            "    GPU-hours \(range({ $0.gpuHours }, "%.2f", none: "–")), attainment \(range({ $0.sloAttainmentFeasible }, "%.2f", scale: 100, none: "–")) %, "
                + "static ratio \(range({ $0.staticRatio }, "%.2f", none: "none at some phase")), "
                + "margin \(range({ $0.attainmentMargin }, "%+.2f", scale: 100, none: "none at some phase")) points",
        ]
    }

    static let headers = ["point", "kind", "GPU·h", "feasible met", "all met", "actions", "flips", "events/h"]

    static func table(_ dynamic: [FrontierPoint], frontier: [FrontierPoint]) -> String {
        let rows = (dynamic + frontier).map { point in
            [
                point.name, point.kind == .static ? "frontier" : point.kind.rawValue,
                String(format: "%.2f", point.gpuHours),
                percent(point.sloAttainmentFeasible), percent(point.sloAttainment),
                String(point.scaleActions), String(point.roleFlips), String(format: "%.1f", point.scaleEventsPerHour),
            ]
        }
        let widths = headers.indices.map { column in ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index < 2 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                          : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    static func percent(_ share: Double) -> String { String(format: "%.2f%%", share * 100) }
}
