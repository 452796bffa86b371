import FulcrumCore
import Yams

/// `nodes`, `workers` and `frontend`: where the workers run and how they are reached.
extension DaemonConfiguration {
    static func readNodes(_ node: Node?, required: Bool, reader: inout ConfigurationReader) -> [ConfiguredNode] {
        guard let list = reader.sequence(node, key: "nodes") else {
            if node == nil, required { reader.missing("nodes", "list the GPU nodes, each with name, gpus and systemd") }
            return []
        }
        if list.isEmpty { reader.report("nodes", node, "list at least one GPU node") }
        let nodes = list.enumerated().compactMap { index, entry in readNode(entry, key: "nodes[\(index)]", reader: &reader) }
        let names = nodes.map(\.name)
        for name in Set(names) where names.filter({ $0 == name }).count > 1 {
            reader.report("nodes", nil, "node name \"\(name)\" appears more than once; names must be unique")
        }
        return nodes
    }

    private static func readNode(_ node: Node, key: String, reader: inout ConfigurationReader) -> ConfiguredNode? {
        guard let fields = reader.mapping(node, key: key, allowed: ["name", "host", "gpus", "systemd"]) else { return nil }
        let name = reader.string(fields["name"], key: "\(key).name")
        if fields["name"] == nil { reader.missing("\(key).name", "give the node a unique name such as gpu-a") }
        // Worker ids are NODE/UNIT: a name with a slash (or other punctuation) would split wrong.
        if let name, name.isEmpty || !name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || "._-".contains($0) }) {
            reader.report("\(key).name", fields["name"], "expected letters, digits, '.', '_' and '-' only, such as gpu-a")
        }
        let gpus = readGPUs(fields["gpus"], key: "\(key).gpus", reader: &reader)
        var transport = SystemdTransport.system
        if let text = reader.string(fields["systemd"], key: "\(key).systemd") {
            if let parsed = SystemdTransport(text) { transport = parsed } else {
                reader.report("\(key).systemd", fields["systemd"], "expected system, user, ssh:USER@HOST[:PORT] or a D-Bus address starting with unix: or tcp:")
            }
        }
        let host = reader.string(fields["host"], key: "\(key).host")
        return name.map { ConfiguredNode(name: $0, host: host, gpus: gpus, systemd: transport) }
    }

    private static func readGPUs(_ node: Node?, key: String, reader: inout ConfigurationReader) -> [Int] {
        let advice = "list the GPU indices Fulcrum may use, e.g. [0, 1, 2, 3]"
        guard let list = reader.sequence(node, key: key) else {
            if node == nil { reader.missing(key, advice) }
            return []
        }
        let gpus = list.enumerated().compactMap { index, gpu in reader.int(gpu, key: "\(key)[\(index)]", range: SettingRules.gpuIndices) }
        if gpus.isEmpty { reader.report(key, node, advice) }
        if Set(gpus).count != gpus.count { reader.report(key, node, "list each GPU index once") }
        return gpus
    }

    /// What `workers` says: each role's unit and scheme, GPUs per instance, the engine preset.
    struct WorkersSection {
        var roles: PerRole<RoleConfiguration?> = PerRole(repeating: nil)
        var gpusPerInstance = PerRole(prefill: 1, decode: 1)
        var engine = "auto"
        var metricsConnections = MetricsConnections.keepAlive
    }

    static func readWorkers(_ node: Node?, required: Bool, reader: inout ConfigurationReader) -> WorkersSection {
        var section = WorkersSection()
        guard let workers = reader.mapping(node, key: "workers", allowed: ["prefill", "decode", "engine", "metrics_connections"]) else {
            if node == nil, required { reader.missing("workers", "configure workers.prefill and workers.decode") }
            return section
        }
        if let text = reader.string(workers["engine"], key: "workers.engine") {
            if DaemonConfiguration.engineNames.contains(text) { section.engine = text } else {
                reader.report("workers.engine", workers["engine"], "expected one of \(DaemonConfiguration.engineNames.joined(separator: ", "))")
            }
        }
        if let text = reader.string(workers["metrics_connections"], key: "workers.metrics_connections") {
            if let choice = MetricsConnections(rawValue: text) { section.metricsConnections = choice } else {
                reader.report("workers.metrics_connections", workers["metrics_connections"],
                              "expected \(MetricsConnections.allCases.map(\.rawValue).joined(separator: " or "))")
            }
        }
        for role in Role.allCases {
            let key = "workers.\(role)"
            guard let fields = reader.mapping(workers[role.rawValue], key: key,
                                              allowed: ["template", "gpus_per_instance", "metrics_url", "port_base", "drain_timeout"])
            else {
                if workers[role.rawValue] == nil, required { reader.missing(key, "give the \(role) template unit and GPUs per instance") }
                continue
            }
            section.gpusPerInstance[role] = reader.int(fields["gpus_per_instance"], key: "\(key).gpus_per_instance", range: 1...64) ?? 1
            section.roles[role] = readRole(role, fields, required: required, reader: &reader)
        }
        if let prefill = section.roles.prefill, let decode = section.roles.decode, prefill.template == decode.template {
            reader.report("workers.decode.template", nil, "must differ from workers.prefill.template, or roles cannot be told apart after a restart")
        }
        return section
    }

    private static func readRole(_ role: Role, _ fields: [String: Node], required: Bool, reader: inout ConfigurationReader) -> RoleConfiguration? {
        let key = "workers.\(role)"
        let template = reader.string(fields["template"], key: "\(key).template")
        if let template, !(template.hasSuffix("@.service") && template.count > "@.service".count
                           && template.allSatisfy({ $0.isLetter || $0.isNumber || "-_@.:".contains($0) })) {
            reader.report("\(key).template", fields["template"], "expected a template unit name such as llm-\(role)@.service")
        }
        if fields["template"] == nil, required { reader.missing("\(key).template", "name the template unit, e.g. llm-\(role)@.service") }
        let defaults = RoleConfiguration.Defaults.self
        let url = reader.string(fields["metrics_url"], key: "\(key).metrics_url") ?? defaults.metricsURL
        if !(url.hasPrefix("http://") || url.hasPrefix("https://")) || !url.contains("{port}") {
            reader.report("\(key).metrics_url", fields["metrics_url"], "expected an http(s) URL containing {port}, e.g. http://{host}:{port}/metrics")
        }
        let portBase = reader.int(fields["port_base"], key: "\(key).port_base", range: 1...65000) ?? defaults.portBase[role]
        let drain = reader.duration(fields["drain_timeout"], key: "\(key).drain_timeout").map(Duration.seconds) ?? defaults.drainTimeout[role]
        return template.map { RoleConfiguration(template: $0, metricsURL: url, portBase: portBase, drainTimeout: drain) }
    }

    static func readFrontend(_ node: Node?, reader: inout ConfigurationReader) -> FrontendConfiguration? {
        guard let fields = reader.mapping(node, key: "frontend", allowed: ["metrics_url", "preset"]) else { return nil }
        guard let url = reader.string(fields["metrics_url"], key: "frontend.metrics_url") else {
            reader.missing("frontend.metrics_url", "give the router's metrics URL or remove the frontend section")
            return nil
        }
        let preset = reader.string(fields["preset"], key: "frontend.preset") ?? FrontendConfiguration.defaultPreset
        guard DaemonConfiguration.frontendPresetNames.contains(preset) else {
            reader.report("frontend.preset", fields["preset"], "expected one of \(DaemonConfiguration.frontendPresetNames.joined(separator: ", ")) (the router's metric names)")
            return nil
        }
        return FrontendConfiguration(metricsURL: url, preset: preset)
    }
}
