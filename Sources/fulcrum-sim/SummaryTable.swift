import Foundation
import FulcrumSim

/// The human-readable comparison table printed by `run` and `compare`.
enum SummaryTable {
    static let headers = ["policy", "SLO met", "feasible met", "infeasible", "goodput/GPU·h", "GPU·h", "TTFT p50", "TTFT p99", "TPOT p50", "TPOT p99", "done", "failed", "actions", "flips"]

    static func render(_ results: [SimulationResult]) -> String {
        let rows = results.map { result in
            [
                result.policy,
                String(format: "%.1f%%", result.sloAttainment * 100),
                // With no feasible request the share is 0 of 0, not 100 %.
                result.feasibleRequests == 0 ? "-" : String(format: "%.1f%%", result.sloAttainmentFeasible * 100),
                String(result.infeasibleRequests),
                String(format: "%.0f", result.goodputPerGPUHour),
                String(format: "%.2f", result.gpuHours),
                seconds(result.ttftP50), seconds(result.ttftP99),
                milliseconds(result.tpotP50), milliseconds(result.tpotP99),
                String(result.completed), String(result.failed),
                String(result.scaleActions), String(result.roleFlips),
            ]
        }
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == 0 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                           : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    private static func seconds(_ value: Double?) -> String { value.map { String(format: "%.2fs", $0) } ?? "-" }
    private static func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.0fms", $0 * 1000) } ?? "-" }
}

/// JSON the way people read it: sorted keys, indented.
func prettyJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}
