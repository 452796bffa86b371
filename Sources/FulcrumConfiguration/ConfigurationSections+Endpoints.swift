import Foundation
import FulcrumCore
import Yams

/// `intervals`, `router`, `control`, `metrics` and `state_file`: the daemon's own edges.
extension DaemonConfiguration {
    static func readIntervals(_ node: Node?, reader: inout ConfigurationReader) -> Intervals {
        var intervals = Intervals()
        guard let fields = reader.mapping(node, key: "intervals", allowed: ["tick", "scrape", "scrape_timeout"]) else { return intervals }
        // Below 100 ms the loops would spin rather than poll; no engine's metrics move that fast.
        func interval(_ name: String) -> Duration? {
            guard let value = reader.duration(fields[name], key: "intervals.\(name)") else { return nil }
            guard value >= 0.1 else {
                reader.report("intervals.\(name)", fields[name], "must be at least 100ms")
                return nil
            }
            return .seconds(value)
        }
        if let value = interval("tick") { intervals.tick = value }
        if let value = interval("scrape") { intervals.scrape = value }
        if let value = reader.duration(fields["scrape_timeout"], key: "intervals.scrape_timeout") { intervals.scrapeTimeout = .seconds(value) }
        if intervals.scrapeTimeout >= intervals.scrape {
            if fields["scrape_timeout"] != nil {
                reader.report("intervals.scrape_timeout", fields["scrape_timeout"], "must be shorter than intervals.scrape")
            } else {
                // The user never wrote the timeout: name its default, not a key they cannot see.
                let timeout = String(format: "%gs", intervals.scrapeTimeout.inSeconds)
                reader.report("intervals.scrape", fields["scrape"], "must be longer than the scrape timeout (\(timeout) unless intervals.scrape_timeout says otherwise); lengthen it or set a shorter scrape_timeout")
            }
        }
        return intervals
    }

    static func readRouter(_ node: Node?, reader: inout ConfigurationReader) -> RouterHookConfiguration {
        guard let fields = reader.mapping(node, key: "router", allowed: ["kind", "url", "path"]) else { return .none }
        switch reader.string(fields["kind"], key: "router.kind") {
        case "none", nil:
            return .none
        case "sglang":
            if let url = httpURL(fields["url"], reader: &reader) { return .sglangGateway(url: url) }
            if fields["url"] == nil { reader.missing("router.url", "give the gateway's base URL") }
        case "webhook":
            if let url = httpURL(fields["url"], reader: &reader) { return .webhook(url: url) }
            if fields["url"] == nil { reader.missing("router.url", "give the webhook URL") }
        case "exec":
            if let path = reader.string(fields["path"], key: "router.path"), path.hasPrefix("/") { return .executable(path: path) }
            reader.report("router.path", fields["path"], "expected an absolute path to an executable (it is run without a shell)")
        case let other?:
            reader.report("router.kind", fields["kind"], "expected none, sglang, webhook or exec (not \(other))")
        }
        return .none
    }

    /// `router.url`, when it is an http(s) URL with a host; reported otherwise.
    static func httpURL(_ node: Node?, reader: inout ConfigurationReader) -> String? {
        guard let text = reader.string(node, key: "router.url") else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty
        else {
            reader.report("router.url", node, "expected an http(s) URL with a host, e.g. http://127.0.0.1:30000")
            return nil
        }
        return text
    }

    static func readControl(_ node: Node?, reader: inout ConfigurationReader) -> ControlSocketConfiguration {
        var control = ControlSocketConfiguration()
        guard let fields = reader.mapping(node, key: "control", allowed: ["socket", "mode", "group"]) else { return control }
        if let path = reader.string(fields["socket"], key: "control.socket") {
            if path.hasPrefix("/") { control.path = path } else { reader.report("control.socket", fields["socket"], "expected an absolute path") }
        }
        if let text = reader.string(fields["mode"], key: "control.mode") {
            if let mode = Int(text, radix: 8), (0...0o777).contains(mode) { control.mode = mode } else {
                reader.report("control.mode", fields["mode"], "expected an octal file mode such as \"0660\" (quote it)")
            }
        }
        control.group = reader.string(fields["group"], key: "control.group")
        return control
    }

    static func readMetrics(_ node: Node?, reader: inout ConfigurationReader) -> MetricsEndpointConfiguration {
        guard let fields = reader.mapping(node, key: "metrics", allowed: ["listen"]),
              let text = reader.string(fields["listen"], key: "metrics.listen")
        else { return MetricsEndpointConfiguration() }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            reader.report("metrics.listen", fields["listen"], "expected HOST:PORT such as 127.0.0.1:9464")
            return MetricsEndpointConfiguration()
        }
        return MetricsEndpointConfiguration(host: String(text[..<colon]).trimmingCharacters(in: "[").trimmingCharacters(in: "]"), port: port)
    }

    static func readStateFile(_ node: Node?, reader: inout ConfigurationReader) -> String? {
        guard let path = reader.string(node, key: "state_file") else { return nil }
        guard path.hasPrefix("/"), !path.hasSuffix("/") else {
            reader.report("state_file", node, "expected an absolute file path such as /var/lib/fulcrum/state.json")
            return nil
        }
        return path
    }
}
