import Foundation

/// The timeline as CSV: one row per interval, the same columns as the JSON timeline, missing
/// values (no request resolved, no tick yet) as empty cells.
public enum TimelineCSVWriter {
    public static let header = [
        "time_s", "end_s", "arrivals", "arrival_rate_rps",
        "prefill_demand_tokens_per_s", "decode_demand_tokens_per_s",
        "prefill_ready", "prefill_starting", "prefill_draining",
        "decode_ready", "decode_starting", "decode_draining",
        "desired_prefill", "desired_decode", "gpus_held", "resolved",
        "ttft_p50_s", "ttft_p99_s", "tpot_p50_s", "tpot_p99_s", "slo_attainment",
    ]

    public static func render(_ timeline: [TimelineEntry]) -> String {
        var lines = [header.joined(separator: ",")]
        for entry in timeline {
            let fields: [String] = [
                format(entry.time), format(entry.end), String(entry.arrivals), format(entry.arrivalRate),
                format(entry.prefillDemandTokensPerSecond), format(entry.decodeDemandTokensPerSecond),
                String(entry.prefillReady), String(entry.prefillStarting), String(entry.prefillDraining),
                String(entry.decodeReady), String(entry.decodeStarting), String(entry.decodeDraining),
                entry.desiredPrefill.map(String.init) ?? "", entry.desiredDecode.map(String.init) ?? "",
                String(entry.gpusHeld), String(entry.resolved),
                format(entry.ttftP50), format(entry.ttftP99), format(entry.tpotP50), format(entry.tpotP99),
                format(entry.sloAttainment),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func write(_ timeline: [TimelineEntry], to url: URL) throws {
        try Data(render(timeline).utf8).write(to: url, options: .atomic)
    }

    private static func format(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return "\(value)"
    }
}
