import Foundation

/// A self-contained SVG of a run, three stacked panels sharing the time axis:
/// instances per role (ready as solid step lines, everything holding GPUs as dashed ones),
/// offered demand in tokens/s per phase, and SLO attainment per interval.
///
/// Hand-written SVG (no dependencies) that any browser renders; all text is XML-escaped.
public enum TimelineSVGWriter {
    private static let width = 960.0
    private static let panelHeight = 170.0
    private static let panelGap = 56.0
    private static let left = 70.0
    private static let right = 190.0
    private static let top = 84.0

    private static let prefillColor = "#1f77b4"
    private static let decodeColor = "#ff7f0e"
    private static let sloColor = "#2ca02c"

    private struct Series {
        var label: String
        var color: String
        var dashed: Bool
        var points: [(x: Double, y: Double?)]
        var step: Bool
    }

    public static func render(_ result: SimulationResult, title: String? = nil) -> String {
        let timeline = result.timeline
        let end = max(timeline.last?.end ?? 1, 1)
        let height = top + 3 * panelHeight + 2 * panelGap + 50
        var svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" \
        viewBox="0 0 \(f(width)) \(f(height))" font-family="sans-serif" font-size="12">
        <rect x="0" y="0" width="\(f(width))" height="\(f(height))" fill="white"/>

        """
        let heading = title ?? "\(result.policy) — \(result.profile)"
        svg += text(x: left, y: 24, heading, size: 16, weight: "bold")
        svg += text(
            x: left, y: 42,
            String(
                format: "SLO attainment %.1f%%  ·  goodput %.2f req/s  ·  %.1f GPU-hours  ·  %ld scale actions  ·  %ld role flips",
                result.sloAttainment * 100, result.goodputRPS, result.gpuHours, result.scaleActions, result.roleFlips
            ),
            size: 12
        )

        let instances = [
            Series(label: "prefill ready", color: prefillColor, dashed: false,
                   points: timeline.map { ($0.time, Double($0.prefillReady)) }, step: true),
            Series(label: "prefill held", color: prefillColor, dashed: true,
                   points: timeline.map { ($0.time, Double($0.prefillReady + $0.prefillStarting + $0.prefillDraining)) }, step: true),
            Series(label: "decode ready", color: decodeColor, dashed: false,
                   points: timeline.map { ($0.time, Double($0.decodeReady)) }, step: true),
            Series(label: "decode held", color: decodeColor, dashed: true,
                   points: timeline.map { ($0.time, Double($0.decodeReady + $0.decodeStarting + $0.decodeDraining)) }, step: true),
        ]
        svg += panel(index: 0, title: "Instances (at interval end)", series: instances, end: end, yMax: nil)

        let demand = [
            Series(label: "prefill tokens/s", color: prefillColor, dashed: false,
                   points: timeline.map { ($0.time, $0.prefillDemandTokensPerSecond) }, step: true),
            Series(label: "decode tokens/s", color: decodeColor, dashed: false,
                   points: timeline.map { ($0.time, $0.decodeDemandTokensPerSecond) }, step: true),
        ]
        svg += panel(index: 1, title: "Demand (arriving tokens/s)", series: demand, end: end, yMax: nil)

        let slo = [
            Series(label: "SLO attainment", color: sloColor, dashed: false,
                   points: timeline.map { ($0.time, $0.sloAttainment) }, step: true),
        ]
        svg += panel(index: 2, title: "SLO attainment per interval", series: slo, end: end, yMax: 1)

        let axisY = top + 3 * panelHeight + 2 * panelGap + 34
        svg += text(x: left + (width - left - right) / 2, y: axisY, "time (minutes)", anchor: "middle")
        svg += "</svg>\n"
        return svg
    }

    public static func write(_ result: SimulationResult, to url: URL, title: String? = nil) throws {
        try Data(render(result, title: title).utf8).write(to: url, options: .atomic)
    }

    // MARK: - Drawing

    private static func panel(index: Int, title: String, series: [Series], end: Double, yMax fixedMax: Double?) -> String {
        let plotWidth = width - left - right
        let y0 = top + Double(index) * (panelHeight + panelGap)
        let dataMax = series.flatMap { $0.points.compactMap(\.y) }.max() ?? 0
        let yMax = fixedMax ?? niceCeiling(max(dataMax, 1))
        func x(_ time: Double) -> Double { left + time / end * plotWidth }
        func y(_ value: Double) -> Double { y0 + panelHeight - min(max(value / yMax, 0), 1) * panelHeight }

        var out = "<g>\n"
        out += text(x: left, y: y0 - 8, title, size: 13, weight: "bold")
        out += "<rect x=\"\(f(left))\" y=\"\(f(y0))\" width=\"\(f(plotWidth))\" height=\"\(f(panelHeight))\" fill=\"none\" stroke=\"#999\"/>\n"

        for step in 0...5 {
            let value = yMax * Double(step) / 5
            let lineY = y(value)
            out += "<line x1=\"\(f(left))\" y1=\"\(f(lineY))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(lineY))\" stroke=\"#eee\"/>\n"
            out += text(x: left - 6, y: lineY + 4, label(value), anchor: "end")
        }
        let minutes = end / 60
        let tickMinutes = niceCeiling(max(minutes / 8, 1 / 60))
        var tick = 0.0
        while tick <= minutes + 1e-9 {
            let lineX = x(tick * 60)
            out += "<line x1=\"\(f(lineX))\" y1=\"\(f(y0 + panelHeight))\" x2=\"\(f(lineX))\" y2=\"\(f(y0 + panelHeight + 4))\" stroke=\"#666\"/>\n"
            out += text(x: lineX, y: y0 + panelHeight + 16, label(tick), anchor: "middle")
            tick += tickMinutes
        }

        for (position, item) in series.enumerated() {
            out += path(item, end: end, x: x, y: y)
            let legendY = y0 + 14 + Double(position) * 18
            let legendX = left + plotWidth + 14
            out += "<line x1=\"\(f(legendX))\" y1=\"\(f(legendY - 4))\" x2=\"\(f(legendX + 22))\" y2=\"\(f(legendY - 4))\" "
                + "stroke=\"\(item.color)\" stroke-width=\"2\"\(item.dashed ? " stroke-dasharray=\"5,3\"" : "")/>\n"
            out += text(x: legendX + 28, y: legendY, item.label)
        }
        out += "</g>\n"
        return out
    }

    /// A step line: each value holds from its interval's start to the next interval's start.
    /// Intervals without a value (no request resolved) break the line.
    private static func path(_ series: Series, end: Double, x: (Double) -> Double, y: (Double) -> Double) -> String {
        var commands: [String] = []
        var drawing = false
        for (position, point) in series.points.enumerated() {
            let next = position + 1 < series.points.count ? series.points[position + 1].x : end
            guard let value = point.y else {
                drawing = false
                continue
            }
            commands.append("\(drawing ? "L" : "M")\(f(x(point.x))),\(f(y(value)))")
            commands.append("L\(f(x(next))),\(f(y(value)))")
            drawing = true
        }
        guard !commands.isEmpty else { return "" }
        return "<path d=\"\(commands.joined(separator: " "))\" fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"2\""
            + "\(series.dashed ? " stroke-dasharray=\"5,3\"" : "")/>\n"
    }

    private static func text(x: Double, y: Double, _ content: String, size: Double = 11, weight: String? = nil, anchor: String = "start") -> String {
        let weightAttribute = weight.map { " font-weight=\"\($0)\"" } ?? ""
        return "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\"\(weightAttribute)>\(escape(content))</text>\n"
    }

    /// 1, 2 or 5 times a power of ten, at least `value`: round axis maxima and tick steps.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let magnitude = pow(10, (log10(value)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= value * (1 - 1e-12) {
            return factor * magnitude
        }
        return 10 * magnitude
    }

    private static func label(_ value: Double) -> String {
        if value >= 10_000 { return String(format: "%.0fk", value / 1000) }
        if value == value.rounded() { return String(format: "%.0f", value) }
        return String(format: "%.2g", value)
    }

    private static func f(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
