import FulcrumConfiguration
import Foundation
import FulcrumCore
import FulcrumSystemd
import FulcrumTelemetry

/// The production fleet: worker units on each node's systemd, through the sd-bus actuator.
package struct SystemdFleet: WorkerFleet {
    package let actuator: SystemdActuator

    package init(actuator: SystemdActuator) {
        self.actuator = actuator
    }

    package func observe() async -> FleetObservation {
        let observation = await actuator.observe()
        return FleetObservation(nodes: observation.nodes, workers: observation.workers)
    }

    package func execute(_ actions: [ScalingAction]) async -> [ActionReport] {
        await actuator.execute(actions).map { result in
            switch result.outcome {
            case .done: ActionReport(action: result.action, result: .done)
            case let .unchanged(_, why): ActionReport(action: result.action, result: .done, message: why)
            case let .deferred(error): ActionReport(action: result.action, result: .deferred, message: error.description)
            case let .refused(error): ActionReport(action: result.action, result: .refused, message: error.description)
            case let .failed(error): ActionReport(action: result.action, result: .failed, message: error.description)
            case let .dryRun(calls): ActionReport(action: result.action, result: .skippedDryRun, message: calls.joined(separator: "; "))
            }
        }
    }

    package func reconcile() async { await actuator.reconcile() }

    /// The actuator's configuration from the daemon's.
    package static func actuatorConfiguration(_ configuration: DaemonConfiguration) throws -> ActuatorConfiguration {
        let nodes = try configuration.nodes.map { node in
            FulcrumSystemd.NodeConfiguration(
                name: node.name, gpus: node.gpus,
                endpoint: try SystemdEndpoint(parsing: node.systemd.description),
                workerHost: node.host
            )
        }
        func prefix(_ template: String) -> String { template.hasSuffix("@.service") ? String(template.dropLast("@.service".count)) : template }
        return ActuatorConfiguration(
            nodes: nodes,
            templates: try WorkerTemplates(prefill: prefix(configuration.roles.prefill.template), decode: prefix(configuration.roles.decode.template)),
            ports: PortScheme(prefillBase: configuration.roles.prefill.portBase, decodeBase: configuration.roles.decode.portBase),
            drainTimeout: PerRole(
                prefill: configuration.roles.prefill.drainTimeout,
                decode: configuration.roles.decode.drainTimeout
            ),
            maxStartsPerTick: perTickLimit(step: configuration.controller.stabilisation.maxStepUp),
            maxDrainsPerTick: perTickLimit(step: configuration.controller.stabilisation.maxStepDown),
            dryRun: configuration.dryRun
        )
    }

    /// The actuator's per-tick limit is a safety net behind the controller's step limit (which
    /// applies per role): room for both roles' steps, never below the actuator's default. A
    /// fixed 8 deferred all but 8 of the 250 starts a 1,000-GPU fleet's step allowed, every tick.
    static func perTickLimit(step: Int) -> Int {
        max(ActuatorConfiguration.defaultPerTickLimit, 2 * step)
    }

    /// The router hook the configuration names, if any.
    package static func routerHook(_ configuration: DaemonConfiguration) throws -> (any RouterHook)? {
        switch configuration.router {
        case .none: return nil
        case let .sglangGateway(url):
            guard let base = URL(string: url) else { throw ActuatorError(.invalidConfiguration, "router.url \"\(url)\" is not a URL; give the gateway's base URL, e.g. http://127.0.0.1:30000.") }
            return SGLangRouterHook(baseURL: base)
        case let .webhook(url):
            guard let target = URL(string: url) else { throw ActuatorError(.invalidConfiguration, "router.url \"\(url)\" is not a URL; give the webhook's URL, e.g. https://router.example/fulcrum.") }
            return WebhookRouterHook(url: target)
        case let .executable(path):
            return CommandRouterHook(executable: path)
        }
    }
}

/// Drains ask the scraper how busy a worker is; a stale reading is no reading, so a drain
/// never stops a worker on old news of it being empty.
package struct ScrapedLoad: WorkerLoadProvider {
    let scraper: Scraper
    let staleAfterSeconds: Double
    let now: @Sendable () -> Timestamp

    package init(scraper: Scraper, staleAfterSeconds: Double, now: @escaping @Sendable () -> Timestamp) {
        self.scraper = scraper
        self.staleAfterSeconds = staleAfterSeconds
        self.now = now
    }

    package func load(of worker: WorkerEndpoint) async -> WorkerLoad? {
        guard let telemetry = await scraper.latest(worker.id), now() - telemetry.scrapedAt <= staleAfterSeconds else { return nil }
        return WorkerLoad(running: telemetry.requestsRunning, waiting: telemetry.requestsWaiting, measuredAt: telemetry.scrapedAt)
    }
}
