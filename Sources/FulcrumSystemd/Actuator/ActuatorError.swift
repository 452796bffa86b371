/// An error a user of the actuator can meet: one sentence naming the input and what to do.
public struct ActuatorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, for matching; extensible like `ServiceGroupError.Code`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public init(_ name: String) { self.name = name }
        public var description: String { name }

        /// The configuration is unusable (bad template, endpoint, GPU list, port scheme).
        public static let invalidConfiguration = Code("invalid-configuration")
        /// A unit name or worker ID that does not match the templates and GPU scheme.
        public static let refusedUnit = Code("refused-unit")
        /// A node not in the configuration.
        public static let unknownNode = Code("unknown-node")
        /// The node's systemd cannot be reached right now.
        public static let unreachableNode = Code("unreachable-node")
        /// The GPUs asked for are held by another worker.
        public static let gpuConflict = Code("gpu-conflict")
        /// The GPU set is backing off after repeated failures.
        public static let backingOff = Code("backing-off")
        /// More actions than the per-tick limit allows.
        public static let rateLimited = Code("rate-limited")
        /// A systemd job ended in something other than `done`.
        public static let jobFailed = Code("job-failed")
        /// The unit itself failed (bad ExecStart, crash, start limit).
        public static let unitFailed = Code("unit-failed")
        /// A D-Bus call failed; `bus` holds the D-Bus error.
        public static let bus = Code("bus")
        /// The router hook failed.
        public static let routerHook = Code("router-hook")
        /// The fence refused the change: this daemon does not hold the lead (coordination).
        public static let fenced = Code("fenced")
        /// The worker is not known to the actuator (never started or already gone).
        public static let unknownWorker = Code("unknown-worker")
    }

    public var code: Code
    public var message: String
    /// The D-Bus error underneath, when there is one.
    public var bus: BusError?

    public init(_ code: Code, _ message: String, bus: BusError? = nil) {
        self.code = code
        self.message = message
        self.bus = bus
    }

    public var description: String { message }
}
