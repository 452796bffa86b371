/// One GPU node: its name, the GPUs Fulcrum may use, how to reach its systemd, and the host
/// its workers listen on (what router hooks and scrapers are given).
public struct NodeConfiguration: Sendable, Hashable {
    public var name: String
    public var gpus: [Int]
    public var endpoint: SystemdEndpoint
    public var workerHost: String

    public init(name: String, gpus: [Int], endpoint: SystemdEndpoint, workerHost: String = "127.0.0.1") {
        self.name = name
        self.gpus = gpus
        self.endpoint = endpoint
        self.workerHost = workerHost
    }
}
