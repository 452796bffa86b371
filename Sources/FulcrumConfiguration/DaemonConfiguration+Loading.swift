import FulcrumCore
import FulcrumFileInput
import Yams

extension DaemonConfiguration {
    /// Reads and validates a configuration file; throws `ConfigurationError` listing every
    /// problem, or a one-sentence error when the file cannot be read at all.
    public static func load(path: String) throws -> DaemonConfiguration {
        try parse(yaml: readText(path: path), source: path)
    }

    /// The file's text, or the one-sentence error every reader of a configuration file gives.
    static func readText(path: String) throws(ConfigurationError) -> String {
        do {
            return try InputFile.text(at: path)
        } catch {
            throw ConfigurationError(source: path, problems: [
                ConfigurationProblem(key: ConfigurationProblem.wholeFile, expected: "cannot be read because \(error.reason); check the path and its permissions"),
            ])
        }
    }

    public static func parse(yaml text: String, source: String) throws -> DaemonConfiguration {
        let result = try readDocument(yaml: text, source: source, purpose: .daemon)
        guard let daemon = result.daemon else {
            throw ConfigurationError(source: source, problems: [Self.emptyFile])
        }
        return daemon
    }

    /// Reads the whole document once; both the daemon and `fulcrum-sim decide` come through here
    /// so the two can never disagree about what a key means.
    static func readDocument(yaml text: String, source: String, purpose: ConfigurationPurpose) throws -> DocumentReadResult {
        let root: Node?
        do {
            // `.basic`: no implicit tags. The reader reads every scalar's text and types it
            // itself, and Yams' default resolver ran seven ICU regular expressions over every
            // scalar, which kept ICU's regex code and Unicode tables resident in fulcrumd for
            // good (docs/performance.md).
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            let syntax = YAMLSyntaxProblem(error)
            throw ConfigurationError(source: source, problems: [
                ConfigurationProblem(key: ConfigurationProblem.wholeFile, expected: "is not valid YAML: \(syntax.problem); check the indentation and quoting there", line: syntax.line),
            ])
        }
        var reader = ConfigurationReader()
        let configuration = read(root, purpose: purpose, reader: &reader)
        guard let configuration, reader.problems.isEmpty else {
            throw ConfigurationError(source: source, problems: reader.problems.isEmpty
                ? [Self.emptyFile]
                : reader.problems.enumerated().sorted { lhs, rhs in
                    // File order reads best; problems without a line (cross-field checks) last.
                    (lhs.element.line ?? Int.max, lhs.offset) < (rhs.element.line ?? Int.max, rhs.offset)
                }.map(\.element))
        }
        return configuration
    }

    private static let emptyFile = ConfigurationProblem(
        key: ConfigurationProblem.wholeFile, expected: "is empty; start from one of examples/config/*.yaml (vllm.yaml, sglang.yaml)"
    )

    static let topLevelKeys: Set<String> = [
        "nodes", "workers", "frontend", "slo", "budget", "intervals", "stabilisation",
        "estimation", "priors", "router", "dry_run", "control", "metrics", "state_file",
        "coordination",
    ]

    /// The document, section by section; nil when it is empty, or, for the daemon, when it lacks
    /// nodes or worker templates (already reported).
    static func read(_ root: Node?, purpose: ConfigurationPurpose, reader: inout ConfigurationReader) -> DocumentReadResult? {
        let forDaemon = purpose == .daemon
        guard let top = reader.mapping(root, key: "", allowed: topLevelKeys) else { return nil }
        let nodes = readNodes(top["nodes"], required: forDaemon, reader: &reader)
        let workers = readWorkers(top["workers"], required: forDaemon, reader: &reader)
        let engine = workers.engine
        let frontend = readFrontend(top["frontend"], reader: &reader)
        var controller = readController(top, nodes: nodes, gpusPerInstance: workers.gpusPerInstance, forDaemon: forDaemon, reader: &reader)
        let intervals = readIntervals(top["intervals"], reader: &reader)
        // Telemetry is stale only after it has missed a few scrapes.
        controller.estimation.staleAfterSeconds = max(controller.estimation.staleAfterSeconds, 3 * intervals.scrape.inSeconds)
        let router = readRouter(top["router"], reader: &reader)
        let dryRun = reader.bool(top["dry_run"], key: "dry_run") ?? false
        let control = readControl(top["control"], reader: &reader)
        let metrics = readMetrics(top["metrics"], reader: &reader)
        let stateFile = readStateFile(top["state_file"], reader: &reader)
        let coordination = readCoordination(top["coordination"], reader: &reader)
        if top["state_file"] != nil, top["coordination"] != nil {
            reader.report("state_file", top["state_file"], "is not used with coordination (overrides, hand drains and the audit trail live in etcd under coordination.etcd.prefix); remove state_file")
        }

        guard let prefill = workers.roles.prefill, let decode = workers.roles.decode, !nodes.isEmpty else {
            return forDaemon ? nil : DocumentReadResult(daemon: nil, controller: controller, intervals: intervals)
        }
        let daemon = DaemonConfiguration(
            nodes: nodes, roles: PerRole(prefill: prefill, decode: decode), engine: engine,
            metricsConnections: workers.metricsConnections, frontend: frontend,
            controller: controller, intervals: intervals, router: router, dryRun: dryRun, control: control,
            metrics: metrics, stateFile: stateFile, coordination: coordination
        )
        return DocumentReadResult(daemon: daemon, controller: controller, intervals: intervals)
    }
}
