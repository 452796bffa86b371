import Foundation
import FulcrumCore
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
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(source: path, problems: [
                ConfigurationProblem(key: "file", expected: "cannot be read (\(error.localizedDescription)); check the path and its permissions"),
            ])
        }
    }

    public static func parse(yaml text: String, source: String) throws -> DaemonConfiguration {
        let result = try readDocument(yaml: text, source: source, purpose: .daemon)
        guard let daemon = result.daemon else {
            throw ConfigurationError(source: source, problems: [ConfigurationProblem(key: "file", expected: "is empty; see examples/fulcrum.yaml")])
        }
        return daemon
    }

    /// Reads the whole document once; both the daemon and `fulcrum-sim decide` come through here
    /// so the two can never disagree about what a key means.
    static func readDocument(yaml text: String, source: String, purpose: ConfigurationPurpose) throws -> DocumentReadResult {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigurationError(source: source, problems: [ConfigurationProblem(key: "file", expected: "is not valid YAML: \(Self.describe(error))")])
        }
        var reader = ConfigurationReader()
        let configuration = read(root, purpose: purpose, reader: &reader)
        guard let configuration, reader.problems.isEmpty else {
            throw ConfigurationError(source: source, problems: reader.problems.isEmpty
                ? [ConfigurationProblem(key: "file", expected: "is empty; see examples/fulcrum.yaml")]
                : reader.problems.enumerated().sorted { lhs, rhs in
                    // File order reads best; problems without a line (cross-field checks) last.
                    (lhs.element.line ?? Int.max, lhs.offset) < (rhs.element.line ?? Int.max, rhs.offset)
                }.map(\.element))
        }
        return configuration
    }

    private static func describe(_ error: YamlError) -> String {
        String(describing: error).split(separator: "\n").joined(separator: " ")
    }

    static let topLevelKeys: Set<String> = [
        "nodes", "workers", "engine", "frontend", "slo", "budget", "intervals", "stabilisation",
        "estimation", "priors", "router", "dry_run", "control", "metrics", "state_file",
    ]

    // swiftlint:disable:next function_body_length
    static func read(_ root: Node?, purpose: ConfigurationPurpose, reader: inout ConfigurationReader) -> DocumentReadResult? {
        let forDaemon = purpose == .daemon
        guard let top = reader.mapping(root, key: "", allowed: topLevelKeys) else { return nil }

        // Nodes.
        var nodes: [ConfiguredNode] = []
        if let list = reader.sequence(top["nodes"], key: "nodes") {
            if list.isEmpty { reader.report("nodes", top["nodes"], "list at least one GPU node") }
            for (index, node) in list.enumerated() {
                let key = "nodes[\(index)]"
                guard let fields = reader.mapping(node, key: key, allowed: ["name", "host", "gpus", "systemd"]) else { continue }
                let name = reader.string(fields["name"], key: "\(key).name")
                if fields["name"] == nil { reader.missing("\(key).name", "give the node a unique name such as gpu-a") }
                var gpus: [Int] = []
                if let gpuList = reader.sequence(fields["gpus"], key: "\(key).gpus") {
                    for (gpuIndex, gpu) in gpuList.enumerated() {
                        if let value = reader.int(gpu, key: "\(key).gpus[\(gpuIndex)]", range: 0...1023) { gpus.append(value) }
                    }
                    if gpus.isEmpty { reader.report("\(key).gpus", fields["gpus"], "list the GPU indices Fulcrum may use, e.g. [0, 1, 2, 3]") }
                    if Set(gpus).count != gpus.count { reader.report("\(key).gpus", fields["gpus"], "list each GPU index once") }
                } else if fields["gpus"] == nil {
                    reader.missing("\(key).gpus", "list the GPU indices Fulcrum may use, e.g. [0, 1, 2, 3]")
                }
                var transport = SystemdTransport.system
                if let text = reader.string(fields["systemd"], key: "\(key).systemd") {
                    if let parsed = SystemdTransport(text) { transport = parsed } else {
                        reader.report("\(key).systemd", fields["systemd"], "expected system, user, ssh:USER@HOST or a D-Bus address starting with unix:")
                    }
                }
                let host = reader.string(fields["host"], key: "\(key).host")
                if let name { nodes.append(ConfiguredNode(name: name, host: host, gpus: gpus, systemd: transport)) }
            }
            let names = nodes.map(\.name)
            for name in Set(names) where names.filter({ $0 == name }).count > 1 {
                reader.report("nodes", nil, "node name \"\(name)\" appears more than once; names must be unique")
            }
        } else if top["nodes"] == nil, forDaemon {
            reader.missing("nodes", "list the GPU nodes, each with name, gpus and systemd")
        }

        // Workers per role.
        var roles: PerRole<RoleConfiguration?> = PerRole(repeating: nil)
        var gpusPerInstance = PerRole(prefill: 1, decode: 1)
        var engine = "auto"
        if let workers = reader.mapping(top["workers"], key: "workers", allowed: ["prefill", "decode", "engine"]) {
            if let text = reader.string(workers["engine"], key: "workers.engine") {
                if ["auto", "vllm", "sglang", "trtllm"].contains(text) { engine = text } else {
                    reader.report("workers.engine", workers["engine"], "expected auto, vllm, sglang or trtllm")
                }
            }
            for role in Role.allCases {
                let key = "workers.\(role)"
                guard let fields = reader.mapping(workers[role.rawValue], key: key,
                                                  allowed: ["template", "gpus_per_instance", "metrics_url", "port_base", "drain_timeout"])
                else {
                    if workers[role.rawValue] == nil, forDaemon { reader.missing(key, "give the \(role) template unit and GPUs per instance") }
                    continue
                }
                let template = reader.string(fields["template"], key: "\(key).template")
                if let template, !(template.hasSuffix("@.service") && template.count > "@.service".count
                                   && template.allSatisfy({ $0.isLetter || $0.isNumber || "-_@.:".contains($0) })) {
                    reader.report("\(key).template", fields["template"], "expected a template unit name such as llm-\(role)@.service")
                }
                if fields["template"] == nil, forDaemon { reader.missing("\(key).template", "name the template unit, e.g. llm-\(role)@.service") }
                let size = reader.int(fields["gpus_per_instance"], key: "\(key).gpus_per_instance", range: 1...64) ?? 1
                gpusPerInstance[role] = size
                let url = reader.string(fields["metrics_url"], key: "\(key).metrics_url") ?? "http://{host}:{port}/metrics"
                if !(url.hasPrefix("http://") || url.hasPrefix("https://")) || !url.contains("{port}") {
                    reader.report("\(key).metrics_url", fields["metrics_url"], "expected an http(s) URL containing {port}, e.g. http://{host}:{port}/metrics")
                }
                let portBase = reader.int(fields["port_base"], key: "\(key).port_base", range: 1...65000) ?? (role == .prefill ? 30000 : 30100)
                let drain = reader.duration(fields["drain_timeout"], key: "\(key).drain_timeout") ?? 600
                if let template {
                    roles[role] = RoleConfiguration(template: template, metricsURL: url, portBase: portBase, drainTimeoutSeconds: drain)
                }
            }
            if let prefill = roles.prefill, let decode = roles.decode, prefill.template == decode.template {
                reader.report("workers.decode.template", nil, "must differ from workers.prefill.template, or roles cannot be told apart after a restart")
            }
        } else if top["workers"] == nil, forDaemon {
            reader.missing("workers", "configure workers.prefill and workers.decode")
        }

        if let text = reader.string(top["engine"], key: "engine") { engine = text }

        var frontend: FrontendConfiguration?
        if let fields = reader.mapping(top["frontend"], key: "frontend", allowed: ["metrics_url", "preset"]) {
            if let url = reader.string(fields["metrics_url"], key: "frontend.metrics_url") {
                frontend = FrontendConfiguration(metricsURL: url, preset: reader.string(fields["preset"], key: "frontend.preset") ?? "dynamo")
            } else {
                reader.missing("frontend.metrics_url", "give the router's metrics URL or remove the frontend section")
            }
        }

        // SLO.
        var slo = ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.05, percentile: 0.99)
        if let fields = reader.mapping(top["slo"], key: "slo", allowed: ["ttft", "tpot", "percentile"]) {
            if let value = reader.duration(fields["ttft"], key: "slo.ttft") { slo.ttftSeconds = value }
            if let value = reader.duration(fields["tpot"], key: "slo.tpot") { slo.tpotSeconds = value }
            if let value = reader.double(fields["percentile"], key: "slo.percentile", range: 0.5...0.9999) { slo.percentile = value }
        } else if top["slo"] == nil {
            reader.missing("slo", "set slo.ttft and slo.tpot, e.g. ttft: 2s, tpot: 50ms")
        }

        // Budget and bounds.
        let totalGPUs = nodes.reduce(0) { $0 + $1.gpus.count }
        // Without nodes (decide), the snapshot's nodes bound the cluster; the budget is open.
        var maxGPUs = nodes.isEmpty && !forDaemon ? 100_000 : totalGPUs
        var minGPUs = 0
        var minInstances = PerRole(prefill: 1, decode: 1)
        var maxInstances = PerRole<Int?>(prefill: nil, decode: nil)
        if let fields = reader.mapping(top["budget"], key: "budget",
                                       allowed: ["min_gpus", "max_gpus", "min_prefill", "min_decode", "max_prefill", "max_decode"]) {
            if let value = reader.int(fields["max_gpus"], key: "budget.max_gpus", range: 1...100_000) { maxGPUs = value }
            if let value = reader.int(fields["min_gpus"], key: "budget.min_gpus", range: 0...100_000) { minGPUs = value }
            if let value = reader.int(fields["min_prefill"], key: "budget.min_prefill", range: 0...10_000) { minInstances.prefill = value }
            if let value = reader.int(fields["min_decode"], key: "budget.min_decode", range: 0...10_000) { minInstances.decode = value }
            maxInstances.prefill = reader.int(fields["max_prefill"], key: "budget.max_prefill", range: 0...10_000)
            maxInstances.decode = reader.int(fields["max_decode"], key: "budget.max_decode", range: 0...10_000)
            if minGPUs > maxGPUs { reader.report("budget.min_gpus", fields["min_gpus"], "must not exceed budget.max_gpus (\(maxGPUs))") }
            if totalGPUs > 0, maxGPUs > totalGPUs {
                reader.report("budget.max_gpus", fields["max_gpus"], "exceeds the \(totalGPUs) GPUs the nodes list; lower it or add GPUs to nodes")
            }
        }
        let floorGPUs = minInstances.prefill * gpusPerInstance.prefill + minInstances.decode * gpusPerInstance.decode
        if floorGPUs > maxGPUs {
            reader.report("budget", nil, "the per-role minimums need \(floorGPUs) GPUs but the budget is \(maxGPUs); lower min_prefill/min_decode or raise max_gpus")
        }
        for role in Role.allCases where !nodes.isEmpty && !nodes.contains(where: { $0.gpus.count >= gpusPerInstance[role] }) {
            reader.report("workers.\(role).gpus_per_instance", nil, "no node has \(gpusPerInstance[role]) GPUs, and an instance never spans nodes")
        }

        var controller = ControllerConfiguration(
            slo: slo,
            placement: PlacementConstraints(gpusPerInstance: gpusPerInstance, maxTotalGPUs: maxGPUs),
            minTotalGPUs: minGPUs,
            minInstances: minInstances,
            maxInstances: maxInstances
        )
        readStabilisation(top["stabilisation"], into: &controller.stabilisation, reader: &reader)
        readEstimation(top["estimation"], into: &controller, reader: &reader)
        controller.priors = readPriors(top["priors"], reader: &reader)

        var tick = 10.0
        var scrape = 5.0
        var scrapeTimeout = 2.0
        if let fields = reader.mapping(top["intervals"], key: "intervals", allowed: ["tick", "scrape", "scrape_timeout"]) {
            tick = reader.duration(fields["tick"], key: "intervals.tick") ?? tick
            scrape = reader.duration(fields["scrape"], key: "intervals.scrape") ?? scrape
            scrapeTimeout = reader.duration(fields["scrape_timeout"], key: "intervals.scrape_timeout") ?? scrapeTimeout
            if scrapeTimeout >= scrape { reader.report("intervals.scrape_timeout", fields["scrape_timeout"], "must be shorter than intervals.scrape") }
        }
        controller.estimation.staleAfterSeconds = max(controller.estimation.staleAfterSeconds, 3 * scrape)

        var router = RouterHookConfiguration.none
        if let fields = reader.mapping(top["router"], key: "router", allowed: ["kind", "url", "path"]) {
            switch reader.string(fields["kind"], key: "router.kind") {
            case "none", nil: router = .none
            case "sglang":
                if let url = httpURL(fields["url"], reader: &reader) { router = .sglangGateway(url: url) } else if fields["url"] == nil { reader.missing("router.url", "give the gateway's base URL") }
            case "webhook":
                if let url = httpURL(fields["url"], reader: &reader) { router = .webhook(url: url) } else if fields["url"] == nil { reader.missing("router.url", "give the webhook URL") }
            case "exec":
                if let path = reader.string(fields["path"], key: "router.path"), path.hasPrefix("/") { router = .executable(path: path) } else {
                    reader.report("router.path", fields["path"], "expected an absolute path to an executable (it is run without a shell)")
                }
            case let other?:
                reader.report("router.kind", fields["kind"], "expected none, sglang, webhook or exec (not \(other))")
            }
        }

        let dryRun = reader.bool(top["dry_run"], key: "dry_run") ?? false

        var control = ControlSocketConfiguration()
        if let fields = reader.mapping(top["control"], key: "control", allowed: ["socket", "mode", "group"]) {
            if let path = reader.string(fields["socket"], key: "control.socket") {
                if path.hasPrefix("/") { control.path = path } else { reader.report("control.socket", fields["socket"], "expected an absolute path") }
            }
            if let text = reader.string(fields["mode"], key: "control.mode") {
                if let mode = Int(text, radix: 8), (0...0o777).contains(mode) { control.mode = mode } else {
                    reader.report("control.mode", fields["mode"], "expected an octal file mode such as \"0660\" (quote it)")
                }
            }
            control.group = reader.string(fields["group"], key: "control.group")
        }

        var metrics = MetricsEndpointConfiguration()
        if let fields = reader.mapping(top["metrics"], key: "metrics", allowed: ["listen"]) {
            if let text = reader.string(fields["listen"], key: "metrics.listen") {
                if let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) {
                    metrics = MetricsEndpointConfiguration(host: String(text[..<colon]).trimmingCharacters(in: "[").trimmingCharacters(in: "]"), port: port)
                } else {
                    reader.report("metrics.listen", fields["listen"], "expected HOST:PORT such as 127.0.0.1:9464")
                }
            }
        }

        var stateFile: String?
        if let path = reader.string(top["state_file"], key: "state_file") {
            if path.hasPrefix("/"), !path.hasSuffix("/") { stateFile = path } else {
                reader.report("state_file", top["state_file"], "expected an absolute file path such as /var/lib/fulcrum/state.json")
            }
        }

        guard let prefill = roles.prefill, let decode = roles.decode, !nodes.isEmpty else {
            return forDaemon ? nil : DocumentReadResult(daemon: nil, controller: controller, tickSeconds: tick)
        }
        let daemon = DaemonConfiguration(
            nodes: nodes, roles: PerRole(prefill: prefill, decode: decode), engine: engine, frontend: frontend,
            controller: controller, tickSeconds: tick, scrapeSeconds: scrape, scrapeTimeoutSeconds: scrapeTimeout,
            router: router, dryRun: dryRun, control: control, metrics: metrics, stateFile: stateFile
        )
        return DocumentReadResult(daemon: daemon, controller: controller, tickSeconds: tick)
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

    static func readStabilisation(_ node: Node?, into stabilisation: inout ControllerConfiguration.Stabilisation, reader: inout ConfigurationReader) {
        guard let fields = reader.mapping(node, key: "stabilisation", allowed: [
            "scale_down_window", "scale_up_window", "flip_window", "tolerance", "max_step_up", "max_step_down", "flip_cooldown", "learning_startups",
        ]) else { return }
        if let value = reader.duration(fields["scale_down_window"], key: "stabilisation.scale_down_window", allowZero: true) { stabilisation.scaleDownWindowSeconds = value }
        if let value = reader.duration(fields["scale_up_window"], key: "stabilisation.scale_up_window", allowZero: true) { stabilisation.scaleUpWindowSeconds = value }
        if let value = reader.duration(fields["flip_window"], key: "stabilisation.flip_window", allowZero: true) { stabilisation.flipWindowSeconds = value }
        if let value = reader.double(fields["tolerance"], key: "stabilisation.tolerance", range: 0...0.5) { stabilisation.tolerance = value }
        if let value = reader.int(fields["max_step_up"], key: "stabilisation.max_step_up", range: 1...1000) { stabilisation.maxStepUp = value }
        if let value = reader.int(fields["max_step_down"], key: "stabilisation.max_step_down", range: 1...1000) { stabilisation.maxStepDown = value }
        if let value = reader.duration(fields["flip_cooldown"], key: "stabilisation.flip_cooldown", allowZero: true) { stabilisation.flipCooldownSeconds = value }
        if let value = reader.double(fields["learning_startups"], key: "stabilisation.learning_startups", range: 0...100) { stabilisation.learningStartups = value }
    }

    static func readEstimation(_ node: Node?, into controller: inout ControllerConfiguration, reader: inout ConfigurationReader) {
        guard let fields = reader.mapping(node, key: "estimation", allowed: [
            "startup_prior", "stale_after", "growth_allowance", "decode_utilisation", "backlog_drain", "max_forecast_growth",
            "arrival_time_constant", "trend_time_constant", "length_time_constant", "latency_window", "correction_recovery", "headroom",
        ]) else { return }
        if let value = reader.double(fields["headroom"], key: "estimation.headroom", range: 0...5) { controller.headroom = value }
        readEstimationFields(fields, into: &controller.estimation, reader: &reader)
    }

    private static func readEstimationFields(_ fields: [String: Node], into estimation: inout ControllerConfiguration.Estimation, reader: inout ConfigurationReader) {
        if let value = reader.duration(fields["startup_prior"], key: "estimation.startup_prior") { estimation.startupPriorSeconds = value }
        if let value = reader.duration(fields["stale_after"], key: "estimation.stale_after") { estimation.staleAfterSeconds = value }
        if let value = reader.double(fields["growth_allowance"], key: "estimation.growth_allowance", range: 0...2) { estimation.growthAllowance = value }
        if let value = reader.double(fields["decode_utilisation"], key: "estimation.decode_utilisation", range: 0.1...1) { estimation.decodeUtilisation = value }
        if let value = reader.duration(fields["backlog_drain"], key: "estimation.backlog_drain") { estimation.backlogDrainSeconds = value }
        if let value = reader.double(fields["max_forecast_growth"], key: "estimation.max_forecast_growth", range: 1...10) { estimation.maxForecastGrowth = value }
        if let value = reader.duration(fields["arrival_time_constant"], key: "estimation.arrival_time_constant") { estimation.arrivalLevelTimeConstant = value }
        if let value = reader.duration(fields["trend_time_constant"], key: "estimation.trend_time_constant") { estimation.arrivalTrendTimeConstant = value }
        if let value = reader.duration(fields["length_time_constant"], key: "estimation.length_time_constant") { estimation.lengthTimeConstant = value }
        if let value = reader.duration(fields["latency_window"], key: "estimation.latency_window") { estimation.latencyWindowSeconds = value }
        if let value = reader.duration(fields["correction_recovery"], key: "estimation.correction_recovery") { estimation.correctionRecoveryTimeConstant = value }
    }

    static func readPriors(_ node: Node?, reader: inout ConfigurationReader) -> PerformancePriors {
        var priors = PerformancePriors()
        guard let fields = reader.mapping(node, key: "priors", allowed: ["prefill", "decode", "weight"]) else { return priors }
        if let prefill = reader.mapping(fields["prefill"], key: "priors.prefill", allowed: ["tokens_per_s", "batch_overhead", "attention_per_token_squared"]) {
            if let rate = reader.double(prefill["tokens_per_s"], key: "priors.prefill.tokens_per_s", range: 1...1e9) {
                priors.prefill = PrefillPerformance(
                    tokensPerSecond: rate,
                    batchOverheadSeconds: reader.duration(prefill["batch_overhead"], key: "priors.prefill.batch_overhead", allowZero: true) ?? 0,
                    attentionSecondsPerTokenSquared: reader.double(prefill["attention_per_token_squared"], key: "priors.prefill.attention_per_token_squared", range: 0...1)
                )
            } else if prefill["tokens_per_s"] == nil {
                reader.missing("priors.prefill.tokens_per_s", "give the saturated prompt tokens per second of one prefill instance")
            }
        }
        if let decode = reader.mapping(fields["decode"], key: "priors.decode", allowed: [
            "step_base", "step_per_sequence", "step_per_context_token", "kv_capacity_tokens", "max_batch",
        ]) {
            let base = reader.duration(decode["step_base"], key: "priors.decode.step_base")
            let perSequence = reader.duration(decode["step_per_sequence"], key: "priors.decode.step_per_sequence", allowZero: true)
            let perContext = reader.duration(decode["step_per_context_token"], key: "priors.decode.step_per_context_token", allowZero: true)
            let kv = reader.double(decode["kv_capacity_tokens"], key: "priors.decode.kv_capacity_tokens", range: 1...1e12)
            let batch = reader.int(decode["max_batch"], key: "priors.decode.max_batch", range: 1...100_000)
            if let base, let perSequence, let perContext, let kv, let batch {
                priors.decode = DecodePerformance(stepBaseSeconds: base, stepPerSequenceSeconds: perSequence,
                                                  stepPerContextTokenSeconds: perContext, kvCapacityTokens: kv, maxBatch: batch)
            } else {
                reader.report("priors.decode", fields["decode"], "needs step_base, step_per_sequence, step_per_context_token, kv_capacity_tokens and max_batch together")
            }
        }
        if let weight = reader.double(fields["weight"], key: "priors.weight", range: 0...1000) { priors.weightInSamples = weight }
        return priors
    }
}
