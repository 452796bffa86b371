import FulcrumConfiguration
import FulcrumCore
import FulcrumTelemetry
import Logging
import ServiceLifecycle

/// Polls every worker's (and the frontend's) metrics on the scrape interval and keeps the
/// last good telemetry per worker. A failed scrape leaves the worker stale, never zeroed.
package actor ScrapeService: Service, TelemetryProvider {
    private let scraper: Scraper
    private let fleet: any WorkerFleet
    private var configuration: DaemonConfiguration
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let now: @Sendable () -> Timestamp
    /// The last error logged per scrape target (a worker id, or `frontend`).
    private var lastFailureLogged: [String: String] = [:]

    package init(scraper: Scraper, fleet: any WorkerFleet, configuration: DaemonConfiguration, metrics: DaemonMetrics,
                logger: Logger, now: @escaping @Sendable () -> Timestamp) {
        self.scraper = scraper
        self.fleet = fleet
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.now = now
    }

    package func update(configuration: DaemonConfiguration) { self.configuration = configuration }

    package func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            await scrapeOnce()
            try? await Task.sleep(until: started + configuration.intervals.scrape, clock: .continuous)
        }
    }

    /// One round over the workers the fleet reports now.
    package func scrapeOnce() async {
        let observation = await fleet.observe()
        let targets = observation.workers
            .filter { $0.lifecycle != .failed }
            .compactMap { worker in Self.metricsURL(for: worker, configuration: configuration, nodes: configuration.nodes).map {
                ScrapeTarget(id: worker.id, url: $0, preset: configuration.engine == "auto" ? .auto : .named(configuration.engine))
            } }
        let frontends = configuration.frontend.map { frontend in
            // The configuration admits only names `byConfigurationName` holds.
            [FrontendTarget(name: "frontend", url: frontend.metricsURL, preset: FrontendPreset.byConfigurationName[frontend.preset] ?? .dynamo)]
        } ?? []
        let started = ContinuousClock.now
        let round = await scraper.scrapeOnce(targets, frontends: frontends, now: now)
        metrics.recordScrapeCycle(ContinuousClock.now - started)
        let starting = Set(observation.workers.filter { $0.lifecycle == .starting }.map(\.id))
        for (id, scrape) in round.workers {
            // A worker still loading its model is not listening yet: an unanswered scrape is
            // how a start looks, not a failure, and must not raise scrape alarms on every scale-up.
            if starting.contains(id), !scrape.succeeded {
                metrics.recordStartingScrape(target: id.rawValue)
                continue
            }
            report(scrape.error, duration: scrape.duration, target: id.rawValue, kind: "worker")
        }
        for (name, scrape) in round.frontends {
            report(scrape.error, duration: scrape.duration, target: name, kind: "frontend")
        }
        // A round's bodies, parses and connections are freed by now; without this their pages
        // stay resident between live blocks until the next round reuses them.
        FreedMemory.returnToSystem()
    }

    /// Counts one scrape and logs a change of its error: one line per change, not one per
    /// scrape, so a dead worker does not flood the journal.
    private func report(_ error: ScrapeError?, duration: Duration, target: String, kind: String) {
        metrics.recordScrape(target: target, duration: duration, success: error == nil)
        if let error {
            if lastFailureLogged[target] != error.description {
                let consequence = kind == "worker" ? "worker is stale until it answers" : "arrivals are read from the workers once its last reading is stale"
                logger.warning("scrape failed; \(consequence)", metadata: [kind: "\(target)", "error": "\(error)"])
                lastFailureLogged[target] = error.description
            }
        } else if lastFailureLogged.removeValue(forKey: target) != nil {
            logger.info("scrape recovered", metadata: [kind: "\(target)"])
        }
    }

    package func telemetry(for workers: [WorkerSnapshot]) async -> [WorkerID: WorkerTelemetry] {
        var result: [WorkerID: WorkerTelemetry] = [:]
        for worker in workers {
            if let telemetry = await scraper.latest(worker.id) { result[worker.id] = telemetry }
        }
        return result
    }

    package func frontend() async -> FrontendTelemetry? { await scraper.latestFrontend("frontend") }

    package func scrapeErrors() async -> [WorkerID: String] {
        await scraper.health().compactMapValues { $0.isStale ? $0.lastError?.description : nil }
    }

    /// A worker's metrics URL from its role's template: `{host}` is the node's host, `{port}`
    /// the role's port base plus the lowest GPU index of the worker's GPU set.
    package static func metricsURL(for worker: WorkerSnapshot, configuration: DaemonConfiguration, nodes: [ConfiguredNode]) -> String? {
        guard let node = nodes.first(where: { $0.name == worker.node }), let lowest = worker.gpus.min() else { return nil }
        let role = configuration.roles[worker.role]
        return role.metricsURL
            .replacingOccurrences(of: "{host}", with: node.host)
            .replacingOccurrences(of: "{port}", with: String(WorkerPort.port(base: role.portBase, lowestGPU: lowest)))
    }
}
