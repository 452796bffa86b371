import Foundation

/// A self-contained SVG of a frontier study: feasible SLO attainment (y) against GPU-hours (x).
/// Fixed splits are small grey dots under their Pareto frontier (a step line: the best
/// attainment any split reaches within x GPU-hours); baselines are labelled markers, and a
/// baseline run at several values of a setting a dashed line (`BaselineSweep`); Fulcrum's
/// headroom sweep is a connected line and its default a bold star; the GPU-hour lower bound and
/// the SLO percentile are dashed lines. The y axis starts at a round value just below the
/// dynamic points and the SLO line, so the region that matters is readable; splits below it
/// are marked at the bottom edge and counted.
public enum FrontierSVGWriter {
    static let width = 980.0
    static let height = 620.0
    static let left = 80.0
    static let right = 230.0
    static let top = 86.0
    static let bottom = 64.0
    static let fulcrumColor = "#1f77b4"
    static let boundColor = "#2ca02c"
    static let sloColor = "#ff7f0e"
    static let markers: [(shape: Shape, color: String)] = [
        (.square, "#d62728"), (.triangle, "#9467bd"), (.diamond, "#8c564b"), (.circle, "#17becf"), (.cross, "#e377c2"),
    ]

    /// Colours of baseline sweeps (`BaselineSweep`), apart from the markers'.
    static let sweepColors = ["#bcbd22", "#843c39"]

    enum Shape { case square, triangle, diamond, circle, cross, star }

    /// Maps values to the plot area: GPU-hours on a log scale (splits span from one instance
    /// per role to the whole budget); 100 % sits a little below the frame so markers there show.
    struct Scale {
        static let padding = 16.0
        var xMin: Double
        var xMax: Double
        var yMin: Double
        func x(_ gpuHours: Double) -> Double {
            let share = (log10(max(gpuHours, xMin)) - log10(xMin)) / (log10(xMax) - log10(xMin))
            return left + 12 + share * (width - left - right - 24)
        }
        /// 1, 2 and 5 times powers of ten within the axis.
        var ticks: [Double] {
            var ticks: [Double] = []
            var decade = pow(10, log10(xMin).rounded(.down))
            while decade <= xMax {
                ticks += [decade, 2 * decade, 5 * decade].filter { $0 >= xMin * (1 - 1e-9) && $0 <= xMax * (1 + 1e-9) }
                decade *= 10
            }
            return ticks
        }
        func y(_ share: Double) -> Double {
            let plot = height - top - bottom - Self.padding
            return top + Self.padding + plot - (min(max(share, yMin), 1) - yMin) / (1 - yMin) * plot
        }
    }

    public static func render(_ report: FrontierReport) -> String {
        let scale = makeScale(report)
        var svg = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" \
        viewBox="0 0 \(f(width)) \(f(height))" font-family="sans-serif" font-size="12">
        <rect x="0" y="0" width="\(f(width))" height="\(f(height))" fill="white"/>
        <defs><clipPath id="plot"><rect x="\(f(left))" y="\(f(top))" width="\(f(width - left - right))" height="\(f(height - top - bottom))"/></clipPath></defs>

        """
        svg += heading(report)
        svg += axes(scale)
        svg += referenceLines(report, scale)
        svg += statics(report, scale)
        var labels = LabelPlacer()
        svg += fulcrum(report, scale, labels: &labels)
        svg += baselines(report, scale, labels: &labels)
        svg += legend(report)
        return svg + "</svg>\n"
    }

    // MARK: - Layout

    static func makeScale(_ report: FrontierReport) -> Scale {
        let xValues = (report.points.map(\.gpuHours) + [report.lowerBound.gpuHours]).filter { $0 > 0 }
        let xLow = xValues.min() ?? 0.1, xHigh = max(xValues.max() ?? 1, xLow * 2)
        let lowest = (report.points.filter { $0.kind != .static }.map(\.sloAttainmentFeasible) + [report.sloPercentile]).min() ?? 0
        let yMin = [0.99, 0.98, 0.95, 0.9, 0.8, 0.5].first { $0 <= lowest - 0.005 } ?? 0
        return Scale(xMin: niceFloor(xLow), xMax: TimelineSVGWriter.niceCeiling(xHigh), yMin: yMin)
    }

    /// 1, 2 or 5 times a power of ten, at most `value`.
    static func niceFloor(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 0.01 }
        let magnitude = pow(10, log10(value).rounded(.down))
        return [5.0, 2, 1].map { $0 * magnitude }.first { $0 <= value * (1 + 1e-12) } ?? magnitude
    }

    static func heading(_ report: FrontierReport) -> String {
        let summary = report.summary
        let ratio = summary.staticRatio.map { String(format: "static ratio %.2f", $0) } ?? "static ratio: none"
        let margin = summary.attainmentMargin.map { String(format: "attainment margin %+.2f points", $0 * 100) }
            ?? "attainment margin: no split that cheap"
        let title = "\(report.label) — \(report.profile), budget \(report.gpuBudget) GPUs, SLO TTFT ≤ \(trim(report.sloTTFTSeconds)) s, "
            + "TPOT ≤ \(trim(report.sloTPOTSeconds * 1000)) ms"
        return text(x: left, y: 26, title, size: 15, weight: "bold")
            + text(x: left, y: 46, "\(summary.policy): \(ratio) · \(margin) · "
                + String(format: "%.2f role flips / 10 min · %.1f scale events / h", summary.roleFlipsPer10Minutes, summary.scaleEventsPerHour))
            + text(x: left, y: 64, "\(report.infeasibleRequests) of \(report.requests) requests infeasible (excluded from attainment); "
                + "dynamic policies start from \(report.warmStart.prefill):\(report.warmStart.decode) (\(report.warmStartRule))", size: 11, color: "#555")
    }

    static func axes(_ scale: Scale) -> String {
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        var out = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"#999\"/>\n"
        let yStep = TimelineSVGWriter.niceCeiling((1 - scale.yMin) / 6)
        var value = 1.0
        while value >= scale.yMin - 1e-9 {
            out += line(left, scale.y(value), left + plotWidth, scale.y(value), color: "#eee")
            out += text(x: left - 6, y: scale.y(value) + 4, trim((value * 100 * 100).rounded() / 100) + " %", anchor: "end")
            value -= yStep
        }
        for tick in scale.ticks {
            out += line(scale.x(tick), top, scale.x(tick), top + plotHeight, color: "#f3f3f3")
            out += line(scale.x(tick), top + plotHeight, scale.x(tick), top + plotHeight + 4, color: "#666")
            out += text(x: scale.x(tick), y: top + plotHeight + 17, trim((tick * 1000).rounded() / 1000), anchor: "middle")
        }
        out += text(x: left + plotWidth / 2, y: height - 18, "GPU-hours (log scale)", size: 13, anchor: "middle")
        out += "<text x=\"18\" y=\"\(f(top + plotHeight / 2))\" font-size=\"13\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 18 \(f(top + plotHeight / 2)))\">SLO attainment, feasible requests</text>\n"
        return out
    }

    // MARK: - Series

    static func referenceLines(_ report: FrontierReport, _ scale: Scale) -> String {
        let boundX = scale.x(report.lowerBound.gpuHours)
        let sloY = scale.y(report.sloPercentile)
        return line(boundX, top, boundX, height - bottom, color: boundColor, width: 1.5, dashed: true)
            + text(x: boundX + 4, y: height - bottom - 8, String(format: "lower bound %.2f", report.lowerBound.gpuHours), size: 11, color: boundColor)
            + line(left, sloY, width - right, sloY, color: sloColor, width: 1.5, dashed: true)
            + text(x: boundX + 4, y: sloY + 14, "SLO \(trim(report.sloPercentile * 100)) %", size: 11, color: sloColor)
    }

    static func statics(_ report: FrontierReport, _ scale: Scale) -> String {
        var out = "<g fill=\"#bbb\">\n"
        var below = 0
        for point in report.statics {
            if point.sloAttainmentFeasible < scale.yMin { below += 1 }
            out += "<circle cx=\"\(f(scale.x(point.gpuHours)))\" cy=\"\(f(scale.y(point.sloAttainmentFeasible)))\" r=\"2.5\"/>\n"
        }
        out += "</g>\n"
        if below > 0 {
            out += text(x: left + 6, y: height - bottom - 8, "\(below) splits below \(trim(scale.yMin * 100)) % drawn on this edge", size: 11, color: "#777")
        }
        let frontier = report.paretoFrontier
        guard let first = frontier.first else { return out }
        var path = "M\(f(scale.x(first.gpuHours))),\(f(scale.y(first.sloAttainmentFeasible)))"
        for point in frontier.dropFirst() {
            path += " H\(f(scale.x(point.gpuHours))) V\(f(scale.y(point.sloAttainmentFeasible)))"
        }
        path += " H\(f(width - right))"
        out += "<path d=\"\(path)\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\" clip-path=\"url(#plot)\"/>\n"
        for point in frontier {
            out += "<circle cx=\"\(f(scale.x(point.gpuHours)))\" cy=\"\(f(scale.y(point.sloAttainmentFeasible)))\" r=\"3\" fill=\"#555\"/>\n"
        }
        return out
    }

    static func baselines(_ report: FrontierReport, _ scale: Scale, labels: inout LabelPlacer) -> String {
        let (singles, sweeps) = BaselineSweep.group(report.baselines)
        var out = ""
        for (index, point) in singles.enumerated() {
            let style = markers[index % markers.count]
            let x = scale.x(point.gpuHours), y = scale.y(point.sloAttainmentFeasible)
            out += marker(style.shape, x: x, y: y, size: 6, color: style.color)
            if let spot = labels.place(x: x + 9, y: y - 7, point.name, size: 11, stacking: true) {
                out += text(x: spot.x, y: spot.y, point.name, size: 11, color: style.color)
            }
        }
        for (index, sweep) in sweeps.enumerated() {
            out += curve(sweep, scale, color: sweepColors[index % sweepColors.count], labels: &labels)
        }
        return out
    }

    /// A baseline's sweep: a dashed line through its points in the order of the setting, each
    /// point labelled with its value.
    static func curve(_ sweep: BaselineSweep, _ scale: Scale, color: String, labels: inout LabelPlacer) -> String {
        let corners = sweep.members.map { (scale.x($0.point.gpuHours), scale.y($0.point.sloAttainmentFeasible)) }
        let path = corners.enumerated().map { index, corner in "\(index == 0 ? "M" : "L")\(f(corner.0)),\(f(corner.1))" }
        var out = "<path d=\"\(path.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" "
            + "stroke-dasharray=\"6,4\" clip-path=\"url(#plot)\"/>\n"
        for (member, corner) in zip(sweep.members, corners) {
            out += marker(.circle, x: corner.0, y: corner.1, size: 3, color: color)
            let label = ShortestDecimal.text(member.value)
            if let spot = labels.place(x: corner.0 + 5, y: corner.1 + 14, label, size: 10, stacking: false) {
                out += text(x: spot.x, y: spot.y, label, size: 10, color: color)
            }
        }
        return out
    }

    static func fulcrum(_ report: FrontierReport, _ scale: Scale, labels: inout LabelPlacer) -> String {
        let sweep = report.fulcrumSweep
        var out = ""
        if sweep.count > 1 {
            let path = sweep.enumerated().map { index, point in
                "\(index == 0 ? "M" : "L")\(f(scale.x(point.gpuHours))),\(f(scale.y(point.sloAttainmentFeasible)))"
            }.joined(separator: " ")
            out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(fulcrumColor)\" stroke-width=\"2\" clip-path=\"url(#plot)\"/>\n"
        }
        for point in sweep where point.headroom != 1 {
            let x = scale.x(point.gpuHours), y = scale.y(point.sloAttainmentFeasible)
            out += marker(.circle, x: x, y: y, size: 3.5, color: fulcrumColor)
            let label = "h=" + trim(point.headroom ?? 1)
            if let spot = labels.place(x: x + 5, y: y + 14, label, size: 10, stacking: false) {
                out += text(x: spot.x, y: spot.y, label, size: 10, color: fulcrumColor)
            }
        }
        if let main = sweep.first(where: { $0.headroom == 1 }) {
            let x = scale.x(main.gpuHours), y = scale.y(main.sloAttainmentFeasible)
            out += marker(.star, x: x, y: y, size: 11, color: fulcrumColor)
            if let spot = labels.place(x: x + 13, y: y - 8, main.name, size: 12, stacking: true) {
                out += text(x: spot.x, y: spot.y, main.name, size: 12, weight: "bold", color: fulcrumColor)
            }
        }
        return out
    }

    static func legend(_ report: FrontierReport) -> String {
        let x = width - right + 18
        var y = top + 12
        var out = ""
        func entry(_ symbol: String, _ label: String) {
            out += symbol + text(x: x + 26, y: y + 4, label, size: 11)
            y += 20
        }
        entry(marker(.star, x: x + 10, y: y, size: 8, color: fulcrumColor), "fulcrum (headroom 1)")
        entry(line(x, y, x + 20, y, color: fulcrumColor, width: 2), "fulcrum headroom sweep")
        let (singles, sweeps) = BaselineSweep.group(report.baselines)
        for (index, point) in singles.enumerated() {
            let style = markers[index % markers.count]
            entry(marker(style.shape, x: x + 10, y: y, size: 5, color: style.color), point.name)
        }
        for (index, sweep) in sweeps.enumerated() {
            let values = sweep.members.map(\.value)
            let range = "\(ShortestDecimal.text(values.first ?? 0))–\(ShortestDecimal.text(values.last ?? 0))"
            entry(line(x, y, x + 20, y, color: sweepColors[index % sweepColors.count], width: 1.5, dashed: true), "\(sweep.policy):\(range)")
        }
        entry("<circle cx=\"\(f(x + 10))\" cy=\"\(f(y))\" r=\"2.5\" fill=\"#bbb\"/>\n", "fixed split (\(report.statics.count))")
        entry(line(x, y, x + 20, y, color: "#555", width: 1.5), "fixed-split Pareto frontier")
        entry(line(x, y, x + 20, y, color: boundColor, width: 1.5, dashed: true), "GPU-hour lower bound")
        entry(line(x, y, x + 20, y, color: sloColor, width: 1.5, dashed: true), "SLO percentile")
        return out
    }
}
