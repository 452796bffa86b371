import FulcrumCore

/// A worker given on the command line or in `POST /workers`.
public struct WorkerRegistration: Sendable, Hashable {
    public var url: String
    public var role: Role

    public init(url: String, role: Role) {
        self.url = url
        self.role = role
    }
}

/// Everything that defines the emulated router.
public struct RouterConfiguration: Sendable {
    public var listen: ListenAddress
    public var workers: [WorkerRegistration]
    /// How long a request waits for a worker of a phase to be registered before a 503.
    public var workerWait: Duration
    /// Most workers of one phase a request tries after 503s or refused connections.
    public var maxAttempts: Int
    /// The `model` label of the frontend metrics and `model` of non-streamed answers.
    public var model: String

    public init(
        listen: ListenAddress,
        workers: [WorkerRegistration] = [],
        workerWait: Duration = .seconds(5),
        maxAttempts: Int = 4,
        model: String = "fulcrum-emu"
    ) {
        self.listen = listen
        self.workers = workers
        self.workerWait = workerWait
        self.maxAttempts = maxAttempts
        self.model = model
    }
}
