import FulcrumTestSupport
import FulcrumCore
@testable import FulcrumSystemd
import Foundation
import InMemoryLogging
import Logging
import Synchronization

/// Builds actuators against test nodes and collects their events.
struct ActuatorFixture {
    static func configuration(
        _ nodes: SystemdNodes,
        gpus: [Int] = Array(0..<8),
        basePort: Int = 30000,
        change: (inout ActuatorConfiguration) -> Void = { _ in }
    ) -> ActuatorConfiguration {
        var configuration = ActuatorConfiguration(
            nodes: (0..<nodes.count).map { NodeConfiguration(name: "node\($0)", gpus: gpus, endpoint: .address(nodes.bus($0))) },
            ports: PortScheme(prefillBase: basePort, decodeBase: basePort + 100),
            drainTimeout: PerRole(prefill: .seconds(20), decode: .seconds(20)),
            drainPollInterval: .milliseconds(50),
            reconcileInterval: .seconds(60),
            reconnectBackoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1)),
            jobTimeout: .seconds(60)
        )
        change(&configuration)
        return configuration
    }

    static func logger(_ handler: InMemoryLogHandler? = nil) -> Logger {
        var logger = Logger(label: "test") { _ in handler ?? InMemoryLogHandler() }
        logger.logLevel = .debug
        return logger
    }
}

/// Records every actuator event so tests can await one (a signal), not sleep.
final class EventRecorder: Sendable {
    private final class Box: Sendable { let events = Mutex<[ActuatorEvent]>([]) }
    private let box = Box()
    private let task: Task<Void, Never>

    init(_ actuator: SystemdActuator) {
        let box = self.box
        task = Task {
            for await event in actuator.events { box.events.withLock { $0.append(event) } }
        }
    }

    var events: [ActuatorEvent] { box.events.withLock { $0 } }

    func first<T>(_ match: (ActuatorEvent) -> T?) -> T? {
        events.lazy.compactMap(match).first
    }

    /// Waits for a matching event.
    func wait<T>(_ what: String, timeout: Duration = .seconds(30), _ match: @escaping (ActuatorEvent) -> T?) async throws -> T {
        var found: T?
        try await eventually(what, timeout: timeout) {
            found = first(match)
            return found != nil
        }
        return found!
    }

    deinit { task.cancel() }
}

extension ActionOutcome {
    var isDone: Bool { if case .done = self { true } else { false } }
    var error: ActuatorError? {
        switch self {
        case let .refused(error), let .deferred(error), let .failed(error): error
        default: nil
        }
    }
}
