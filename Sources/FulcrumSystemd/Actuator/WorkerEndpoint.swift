import FulcrumCore

/// What hooks and providers are told about a worker.
public struct WorkerEndpoint: Sendable, Hashable {
    public var id: WorkerID
    public var role: Role
    public var node: String
    public var gpus: [Int]
    public var unit: String
    public var host: String
    public var port: Int

    /// The engine's base URL, as the router knows it.
    public var url: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}
