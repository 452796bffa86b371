import FulcrumCore

/// The GPU nodes the simulated cluster has.
///
/// YAML schema:
///
/// ```yaml
/// nodes:
///   - name: node-0   # unique
///     gpus: 8        # GPUs on the node, indexed 0..<gpus
///   - name: node-1
///     gpus: 8
/// ```
public struct ClusterSpec: Sendable, Hashable, Codable {
    public struct Node: Sendable, Hashable, Codable {
        public var name: String
        public var gpus: Int

        public init(name: String, gpus: Int) {
            self.name = name
            self.gpus = gpus
        }
    }

    public var nodes: [Node]

    public init(nodes: [Node]) {
        self.nodes = nodes
    }

    /// `count` nodes named `node-0…` with `gpusPerNode` GPUs each.
    public static func uniform(nodes count: Int, gpusPerNode: Int) -> ClusterSpec {
        ClusterSpec(nodes: (0..<count).map { Node(name: "node-\($0)", gpus: gpusPerNode) })
    }

    /// Four 8-GPU nodes: 32 GPUs, a typical small disaggregated deployment.
    public static let `default` = uniform(nodes: 4, gpusPerNode: 8)

    public var totalGPUs: Int { nodes.reduce(0) { $0 + $1.gpus } }

    /// The nodes as a snapshot shows them.
    public var nodeSnapshots: [NodeSnapshot] {
        nodes.map { NodeSnapshot(name: $0.name, gpus: Array(0..<$0.gpus)) }
    }

    public static func load(path: String) throws -> ClusterSpec {
        let spec = try YAMLConfigurationLoader.load(ClusterSpec.self, path: path)
        try spec.validate(source: path)
        return spec
    }

    public static func decode(yaml: String, source: String = "<cluster>") throws -> ClusterSpec {
        let spec = try YAMLConfigurationLoader.decode(ClusterSpec.self, yaml: yaml, source: source)
        try spec.validate(source: source)
        return spec
    }

    public func validate(source: String) throws {
        guard (1...10_000).contains(nodes.count) else {
            throw SimulationFileError(source: source, key: "nodes", problem: "must list from 1 to 10000 nodes, found \(nodes.count)")
        }
        var seen: Set<String> = []
        for (index, node) in nodes.enumerated() {
            guard !node.name.isEmpty else {
                throw SimulationFileError(source: source, key: "nodes[\(index)].name", problem: "must not be empty")
            }
            guard seen.insert(node.name).inserted else {
                throw SimulationFileError(source: source, key: "nodes[\(index)].name", problem: "repeats the node name \"\(node.name)\"; give each node its own name")
            }
            // As fulcrumd's configuration: GPU indices 0–1023 on a node.
            try ConfigurationValidator(source: source).require(node.gpus, within: 1...1024, "nodes[\(index)].gpus")
        }
    }
}
