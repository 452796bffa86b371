@testable import FulcrumConfiguration
import Foundation
import FulcrumCore
import FulcrumTestSupport
import Testing

@Suite("Daemon configuration")
struct ConfigurationTests {
    @Test("a minimal file gets the documented defaults")
    func minimal() throws {
        let configuration = try DaemonConfiguration.parse(yaml: ConfigurationFixtures.minimal, source: "fulcrum.yaml")
        #expect(configuration.nodes == [ConfiguredNode(name: "gpu-a", gpus: [0, 1, 2, 3], systemd: .user)])
        #expect(configuration.controller.slo == ServiceLevelObjective(ttftSeconds: 1.5, tpotSeconds: 0.04, percentile: 0.99))
        #expect(configuration.controller.placement == PlacementConstraints(gpusPerInstance: PerRole(prefill: 1, decode: 2), maxTotalGPUs: 4))
        #expect(configuration.roles.decode.portBase == 30100)
        #expect(configuration.intervals.tick == .seconds(10))
        #expect(configuration.control.mode == 0o660)
        #expect(configuration.metrics == MetricsEndpointConfiguration(host: "127.0.0.1", port: 9464))
        #expect(configuration.controller.stabilisation == ControllerConfiguration.Stabilisation())
        #expect(configuration.metricsConnections == .keepAlive)
    }

    @Test("workers.metrics_connections chooses kept-alive or per-scrape connections, and names the choices when wrong")
    func metricsConnections() throws {
        let yaml = ConfigurationFixtures.minimal.replacingOccurrences(of: "workers:\n", with: "workers:\n  metrics_connections: per_scrape\n")
        #expect(yaml != ConfigurationFixtures.minimal)
        #expect(try DaemonConfiguration.parse(yaml: yaml, source: "fulcrum.yaml").metricsConnections == .perScrape)
        let wrong = yaml.replacingOccurrences(of: "per_scrape", with: "sometimes")
        let error = #expect(throws: ConfigurationError.self) { try DaemonConfiguration.parse(yaml: wrong, source: "bad.yaml") }
        let text = error?.description ?? ""
        #expect(text.contains("workers.metrics_connections is \"sometimes\"") && text.contains("expected keep_alive or per_scrape"), "\(text)")
    }

    @Test("stabilisation.hold_while_bursty is on by default, turns off, and a non-boolean is named")
    func holdWhileBursty() throws {
        #expect(try DaemonConfiguration.parse(yaml: ConfigurationFixtures.minimal, source: "fulcrum.yaml").controller.stabilisation.holdWhileBursty)
        let off = ConfigurationFixtures.minimal + "\nstabilisation:\n  hold_while_bursty: false\n"
        #expect(try !DaemonConfiguration.parse(yaml: off, source: "fulcrum.yaml").controller.stabilisation.holdWhileBursty)
        let wrong = off.replacingOccurrences(of: "hold_while_bursty: false", with: "hold_while_bursty: sometimes")
        let error = #expect(throws: ConfigurationError.self) { try DaemonConfiguration.parse(yaml: wrong, source: "bad.yaml") }
        #expect(error?.description.contains("stabilisation.hold_while_bursty") == true, "\(error?.description ?? "")")
    }

    /// A number under `stabilisation:`: its default, a value read as written, and an out-of-range
    /// value refused with the key named.
    struct StabilisationNumber: Sendable, CustomTestStringConvertible {
        var key: String
        var field: @Sendable (ControllerConfiguration.Stabilisation) -> Double
        var standard: Double
        var valid: String
        var outOfRange: String
        var testDescription: String { key }
    }

    @Test("stabilisation numbers: their default, a value as written, an out-of-range value named", arguments: [
        // Pacing: 0 meets every need at once, past 100 is refused.
        StabilisationNumber(key: "scale_up_pace_startups", field: \.scaleUpPaceStartups, standard: 1, valid: "0", outOfRange: "101"),
        // The burst edge: 1000 (above the dispersion cap) never applies, below 1 is refused.
        StabilisationNumber(key: "burst_edge_dispersion", field: \.burstEdgeDispersion, standard: 8, valid: "1000", outOfRange: "0.5"),
    ])
    func stabilisationNumber(_ number: StabilisationNumber) throws {
        func parsed(_ yaml: String) throws -> Double {
            number.field(try DaemonConfiguration.parse(yaml: yaml, source: "fulcrum.yaml").controller.stabilisation)
        }
        #expect(try parsed(ConfigurationFixtures.minimal) == number.standard)
        let set = ConfigurationFixtures.minimal + "\nstabilisation:\n  \(number.key): \(number.valid)\n"
        #expect(try parsed(set) == Double(number.valid))
        let wrong = set.replacingOccurrences(of: "\(number.key): \(number.valid)", with: "\(number.key): \(number.outOfRange)")
        let error = #expect(throws: ConfigurationError.self) { try DaemonConfiguration.parse(yaml: wrong, source: "bad.yaml") }
        #expect(error?.description.contains("stabilisation.\(number.key)") == true, "\(error?.description ?? "")")
    }

    @Test("a reload keeps what needs a restart as it runs, applies the rest, and names what waits")
    func reloadSplitsLiveFromRestartOnly() throws {
        let running = try DaemonConfiguration.parse(yaml: ConfigurationFixtures.minimal, source: "fulcrum.yaml")
        var edited = running
        edited.controller.slo.ttftSeconds = 3
        edited.engine = "vllm"
        edited.roles.decode.metricsURL = "http://{host}:{port}/other"
        edited.roles.decode.portBase = 31000
        edited.metrics.port = 9999
        edited.stateFile = "/elsewhere/state.json"
        edited.intervals.scrapeTimeout = .seconds(1)
        #expect(edited.restartOnlyChanges(from: running) == ["workers.decode.port_base", "intervals.scrape_timeout", "metrics", "state_file"])
        let applied = edited.keepingRestartOnly(from: running)
        #expect(applied.restartOnlyChanges(from: running).isEmpty)
        #expect(applied.controller.slo.ttftSeconds == 3 && applied.engine == "vllm" && applied.roles.decode.metricsURL == "http://{host}:{port}/other")
        #expect(applied.roles.decode.portBase == running.roles.decode.portBase && applied.metrics == running.metrics && applied.stateFile == nil)
        #expect(running.restartOnlyChanges(from: running).isEmpty)
        // A node added by the file waits for the restart, and so do its GPUs in the budget.
        var grown = running
        grown.nodes.append(ConfiguredNode(name: "gpu-b", gpus: [0, 1, 2, 3], systemd: .user))
        grown.controller.placement.maxTotalGPUs = 8
        #expect(grown.restartOnlyChanges(from: running) == ["nodes"])
        #expect(grown.keepingRestartOnly(from: running).controller.placement.maxTotalGPUs == 4)
    }

    @Test("the shipped examples are valid")
    func shippedExamples() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples/config").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files {
            let configuration = try DaemonConfiguration.load(path: folder.appendingPathComponent(file).path)
            #expect(!configuration.nodes.isEmpty, "\(file)")
        }
    }

    @Test("every problem is reported at once, each naming the key, the value and what is allowed")
    func allProblemsAtOnce() {
        let yaml = """
        nodes:
          - name: gpu-a
            gpus: [0, 1, 1]
            systemd: telnet:x
          - name: rack1/gpu-b
            gpus: [0]
        workers:
          prefill: {template: sshd.service, gpus_per_instance: 0}
          decode: {template: llm-decode@.service, metrics_url: "ftp://x"}
        slo: {ttft: -2s, tpot: fast, percentil: 0.9}
        budget: {max_gpus: 99, min_decode: 3, max_decode: 1}
        intervals: {tick: 1ms, scrape: 1s}
        contol: {}
        router: {kind: sglang, url: "gateway:30000"}
        state_file: state.json
        """
        let error = #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.parse(yaml: yaml, source: "bad.yaml")
        }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("bad.yaml has "))
        let expectedFragments = [
            "nodes[0].gpus", "list each GPU index once",
            "nodes[0].systemd is \"telnet:x\"", "ssh:USER@HOST",
            "nodes[1].name is \"rack1/gpu-b\"", "letters, digits, '.', '_' and '-' only",
            "workers.prefill.template is \"sshd.service\"",
            "workers.prefill.gpus_per_instance is \"0\"",
            "workers.decode.metrics_url is \"ftp://x\"",
            "slo.ttft is \"-2s\"", "slo.tpot is \"fast\"",
            "slo.percentil", "did you mean percentile?",
            "budget.max_gpus is \"99\"", "exceeds the 4 GPUs",
            "budget.max_decode is \"1\"", "must not be below budget.min_decode (3",
            "intervals.tick is \"1ms\"", "must be at least 100ms",
            "intervals.scrape is \"1s\"", "must be longer than the scrape timeout (2s unless",
            "contol", "did you mean control?",
            "router.url is \"gateway:30000\"", "expected an http(s) URL with a host",
            "state_file is \"state.json\"", "absolute file path",
        ]
        for fragment in expectedFragments {
            #expect(text.contains(fragment), "missing \(fragment) in:\n\(text)")
        }
        #expect((error?.problems.count ?? 0) >= 10)
        #expect(error?.problems.allSatisfy { $0.line != nil || $0.value == nil } == true)
    }

    @Test("durations accept ms, s, m, h and bare seconds")
    func durations() {
        #expect(ConfigurationReader.parseDuration("250ms") == 0.25)
        #expect(ConfigurationReader.parseDuration("10s") == 10)
        #expect(ConfigurationReader.parseDuration("5m") == 300)
        #expect(ConfigurationReader.parseDuration("1h") == 3600)
        #expect(ConfigurationReader.parseDuration("7") == 7)
        #expect(ConfigurationReader.parseDuration("-1s") == nil)
        #expect(ConfigurationReader.parseDuration("soon") == nil)
    }

    @Test("a duration too long to be a Duration is refused with its key, not a trap (found by fuzzing)")
    func absurdDurations() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Corpus/configuration/regression-duration-overflow.yaml")
        let yaml = try String(contentsOf: url, encoding: .utf8)
        let error = #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.parse(yaml: yaml, source: "x.yaml")
        }
        let keys = Set(error?.problems.map(\.key) ?? [])
        #expect(keys.isSuperset(of: ["intervals.tick", "intervals.scrape"]), "\(String(describing: error))")
        #expect(error?.problems.first { $0.key == "intervals.tick" }?.expected.contains("at most 31 years") == true)
    }

    @Test("missing required sections are named")
    func missingSections() {
        let error = #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.parse(yaml: "dry_run: true\n", source: "x.yaml")
        }
        let keys = Set(error?.problems.map(\.key) ?? [])
        #expect(keys.isSuperset(of: ["nodes", "workers", "slo"]))
    }

    @Test("a file that is not YAML or cannot be read gives one clear sentence")
    func unreadable() {
        let error = #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.load(path: "/nonexistent/fulcrum.yaml")
        }
        #expect(error?.description.contains("/nonexistent/fulcrum.yaml") == true)
        #expect(error?.description.contains("the file cannot be read because there is no such file") == true)
        let folder = #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.load(path: FileManager.default.temporaryDirectory.path)
        }
        #expect(folder?.description.contains("because it is a directory") == true, "\(folder?.description ?? "")")
        #expect(folder?.description.contains("NSCocoaErrorDomain") == false)
        let syntax = #expect(throws: ConfigurationError.self) {
            try DaemonConfiguration.parse(yaml: "slo:\n  ttft: 2s\n tpot: [\n", source: "broken.yaml")
        }
        // One line, the line of the fault, libyaml's reason in words; no caret drawing.
        #expect(syntax?.problems.map(\.line) == [3])
        #expect(syntax?.problems.first?.description
            == "line 3: the file is not valid YAML: did not find expected key (while parsing a block mapping that starts on line 1), at column 2; check the indentation and quoting there.")
    }

    @Test("a key that is required or unknown reads as a sentence: 'engine is not a known key'")
    func keyProblemsReadAsSentences() {
        let error = #expect(throws: ConfigurationError.self) {
            try ControllerConfigurationFile.parse(yaml: "engine: vllm\n", source: "e.yaml")
        }
        let lines = error?.problems.map(\.description) ?? []
        #expect(lines.contains { $0.hasPrefix("line 1: engine is not a known key; allowed here: budget,") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("slo is required; ") }, "\(lines)")
    }
}
