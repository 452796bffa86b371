/// Writes metric families as exposition text; the inverse of `ExpositionParser` for every family
/// the chosen format can express.
///
/// - Names that are not legacy Prometheus names (`[a-zA-Z_:][a-zA-Z0-9_:]*`, labels without `:`)
///   are written quoted, Prometheus 3 style: `{"my.metric", "label.x"="v"} 1`.
/// - Values use Swift's shortest round-tripping spelling; NaN, `+Inf` and `-Inf` as the
///   formats spell them.
/// - Prometheus text: timestamps as integer milliseconds, no UNIT lines, no exemplars, and the
///   OpenMetrics-only types (gaugehistogram, stateset, info) are written as `untyped`.
/// - OpenMetrics: float-second timestamps, UNIT lines, exemplars, and the closing `# EOF`.
public enum ExpositionFormatter {
    public static func format(_ families: [MetricFamily], as format: ExpositionFormat) -> String {
        var out = ""
        out.reserveCapacity(families.reduce(0) { $0 + 64 + $1.samples.count * 64 })
        for family in families {
            write(family, format: format, into: &out)
        }
        if format == .openMetrics { out += "# EOF\n" }
        return out
    }

    public static func write(_ family: MetricFamily, format: ExpositionFormat, into out: inout String) {
        let name = metadataName(family.name)
        if let help = family.help {
            out += "# HELP \(name) \(escapeHelp(help, quotes: format == .openMetrics))\n"
        }
        out += "# TYPE \(name) \(typeName(family.type, format: format))\n"
        if format == .openMetrics, let unit = family.unit {
            out += "# UNIT \(name) \(unit)\n"
        }
        for sample in family.samples {
            writeSample(sample, format: format, into: &out)
        }
    }

    static func typeName(_ type: MetricType, format: ExpositionFormat) -> String {
        guard format == .prometheusText else { return type.rawValue }
        switch type {
        case .counter, .gauge, .histogram, .summary: return type.rawValue
        case .unknown, .gaugeHistogram, .stateSet, .info: return "untyped"
        }
    }

    static func writeSample(_ sample: Sample, format: ExpositionFormat, into out: inout String) {
        let legacyName = isLegacyMetricName(sample.name)
        if legacyName {
            out += sample.name
        }
        if !legacyName || !sample.labels.isEmpty {
            out += "{"
            var first = true
            if !legacyName {
                out += quote(sample.name)
                first = false
            }
            writeLabels(sample.labels, first: first, into: &out)
            out += "}"
        }
        out += " "
        out += formatValue(sample.value)
        if let timestamp = sample.timestamp {
            out += " "
            out += formatTimestamp(timestamp, format: format)
        }
        if format == .openMetrics, let exemplar = sample.exemplar {
            out += " # {"
            writeLabels(exemplar.labels, first: true, into: &out)
            out += "} "
            out += formatValue(exemplar.value)
            if let timestamp = exemplar.timestamp {
                out += " "
                out += formatTimestamp(timestamp, format: .openMetrics)
            }
        }
        out += "\n"
    }

    static func writeLabels(_ labels: some Collection<Label>, first: Bool, into out: inout String) {
        var first = first
        for label in labels {
            if !first { out += "," }
            first = false
            out += isLegacyLabelName(label.name) ? label.name : quote(label.name)
            out += "="
            out += quote(label.value)
        }
    }

    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        return value.description
    }

    static func formatTimestamp(_ seconds: Double, format: ExpositionFormat) -> String {
        if format == .openMetrics { return formatValue(seconds) }
        let milliseconds = (seconds * 1000).rounded()
        if let exact = Int64(exactly: milliseconds) { return String(exact) }
        return "0"
    }

    static func metadataName(_ name: String) -> String {
        isLegacyMetricName(name) ? name : quote(name)
    }

    /// `"…"` with `\\`, `\"` and `\n` escaped.
    public static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }

    static func escapeHelp(_ help: String, quotes: Bool) -> String {
        var out = ""
        for scalar in help.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isLegacyMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isMetricNameStart(first) else { return false }
        return name.utf8.allSatisfy(isMetricNameChar)
    }

    static func isLegacyLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isLetterOrUnderscore(first) else { return false }
        return name.utf8.allSatisfy(isLabelNameChar)
    }
}
