import Foundation

/// Human output for `probe`: a `networkctl status`-style header with right-aligned keys, then a
/// `networkctl list`-style table of signals and a one-line summary.
enum ProbeReportRenderer {
    static func render(_ report: ProbeReport) -> String {
        var header: [(String, String)] = [("Input", report.input)]
        if let format = report.format {
            let name = format == "openmetrics" ? "OpenMetrics 1.0" : "Prometheus text 0.0.4"
            var detail = [report.contentType, report.contentEncoding.map { "\($0) encoded" }].compactMap { $0 }.joined(separator: ", ")
            if detail.isEmpty { detail = "by content" }
            header.append(("Format", "\(name) (\(detail))"))
        }
        if let bytes = report.bytes {
            var size = byteCount(bytes)
            if let families = report.families, let samples = report.samples {
                size += ", \(counted(families, "family", "families")), \(counted(samples, "sample", "samples"))"
            }
            header.append(("Size", size))
        }
        if let preset = report.preset {
            header.append(("Preset", "\(preset) (\(report.presetDetected == true ? "detected" : "given"), \(report.kind ?? "worker"))"))
        }
        if report.kind == "worker" { header.append(("Role hint", report.roleHint ?? "none")) }
        if let failure = report.parseError {
            header.append(("Parse error", "line \(failure.line), column \(failure.column): \(failure.message)"))
        }
        let keyWidth = header.map(\.0.count).max() ?? 0
        var out = header.map { String(repeating: " ", count: keyWidth - $0.0.count) + $0.0 + ": " + $0.1 }.joined(separator: "\n") + "\n"

        if !report.signals.isEmpty {
            let rows = report.signals.map { [$0.name, value(of: $0), $0.source] }
            out += "\n" + table(header: ["SIGNAL", "VALUE", "SOURCE"], rows: rows)
        }
        if report.kind != nil {
            out += "\n"
            out += "Missing required: \(list(report.missingRequired))\n"
            out += "Missing optional: \(list(report.missingOptional))\n"
            out += "Issues: \(list(report.issues))\n"
        }
        if !report.unusedFamilies.isEmpty {
            let shown = report.unusedFamilies.prefix(8).joined(separator: ", ")
            let more = report.unusedFamilies.count > 8 ? ", …" : ""
            out += "Unused families: \(report.unusedFamilies.count) (\(shown)\(more))\n"
        }
        if report.kind != nil {
            out += "\n\(counted(report.signals.count, "signal", "signals")) found, \(report.missingRequired.count) required missing.\n"
        }
        return out
    }

    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func value(of signal: ProbeReport.Signal) -> String {
        if let histogram = signal.histogram {
            return "\(number(histogram.count)) obs, sum \(number(histogram.sum)), \(histogram.buckets) buckets"
        }
        return signal.value.map(number) ?? "-"
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }

    static func byteCount(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1 << 20 { return String(format: "%.1f KiB", Double(bytes) / 1024) }
        return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }

    static func counted(_ count: Int, _ singular: String, _ plural: String) -> String {
        "\(count) \(count == 1 ? singular : plural)"
    }

    static func list(_ items: [String]) -> String {
        items.isEmpty ? "none" : items.joined(separator: ", ")
    }
}
