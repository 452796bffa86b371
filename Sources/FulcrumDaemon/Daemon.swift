import FulcrumConfiguration
import Foundation
import FulcrumCoordination
import FulcrumCore
import FulcrumSystemd
import FulcrumTelemetry
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// fulcrumd: the services joined. Scraper → controller tick → actuator, plus the control API
/// and the metrics endpoint, under one ServiceGroup. SIGTERM stops the daemon and leaves every
/// worker running (a restarted daemon adopts them); SIGHUP reloads the configuration.
package struct Daemon: Sendable {
    let configurationPath: String
    let initialConfiguration: DaemonConfiguration
    let forceDryRun: Bool

    package init(configurationPath: String, configuration: DaemonConfiguration, forceDryRun: Bool = false) {
        self.configurationPath = configurationPath
        self.initialConfiguration = configuration
        self.forceDryRun = forceDryRun
    }

    package static func bootstrapLogging() {
        LoggingSystem.bootstrap { label in
            if JournaldLogHandler.isUnderJournal { return JournaldLogHandler(label: label) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }

    package func run() async throws {
        let logger = Logger(label: "fulcrumd")
        let notifier = SystemdNotifier()
        let now: @Sendable () -> Timestamp = { Timestamp(seconds: Date().timeIntervalSince1970) }
        let configuration = initialConfiguration
        let metrics = DaemonMetrics()

        let election = try Self.makeElection(configuration)
        let (httpClient, scraper) = Self.makeScraper(configuration)
        let actuator = try Self.makeActuator(configuration, scraper: scraper, fence: election.map(ElectionFence.init), now: now)
        let fleet = SystemdFleet(actuator: actuator)
        let scrape = ScrapeService(scraper: scraper, fleet: fleet, configuration: configuration, metrics: metrics,
                                   logger: Logger(label: "fulcrumd.scrape"), now: now)
        let writer = election.map { SharedStateWriter(election: $0, logger: Logger(label: "fulcrumd.coordination")) }
        let core = Self.makeCore(configuration, fleet: fleet, telemetry: scrape, sharedState: writer, logger: logger)
        let readiness = Readiness(notifier: notifier, logger: logger)

        // The first reconciliation: adopt what runs before deciding anything.
        await actuator.start()
        await scrape.scrapeOnce()
        await readiness.mark(.reconciled)

        let reload = makeReload(core: core, scrape: scrape, actuator: actuator, metrics: metrics, notifier: notifier, logger: logger, now: now)
        // Services stop in reverse order: the election goes last, so the lead is resigned
        // only once the control loop has stopped acting.
        var coordination: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let election, let writer {
            coordination = [.init(service: CoordinationService(election: election, writer: writer, core: core, metrics: metrics,
                                                               logger: Logger(label: "fulcrumd.coordination")))]
        }
        let services: [ServiceGroupConfiguration.ServiceConfiguration] = coordination + [
            .init(service: Self.makeControlServer(configuration, core: core, metrics: metrics, readiness: readiness, reload: reload, now: now)),
            .init(service: Self.makeMetricsServer(configuration, core: core, metrics: metrics, readiness: readiness, logger: logger)),
            .init(service: scrape),
            .init(service: ControlLoopService(core: core, metrics: metrics, notifier: notifier, logger: Logger(label: "fulcrumd.loop"),
                                              now: now, onTick: { await readiness.ticked(at: .now) })),
            .init(service: ReloadOnHangup(reload: reload, logger: logger)),
            .init(service: ActuatorEventLogger(actuator: actuator, logger: Logger(label: "fulcrumd.systemd"), metrics: metrics)),
        ]
        let failure = await Self.runUntilStopped(services, logger: logger)
        notifier.notify(["STOPPING=1", "STATUS=stopping; workers are left running"])
        await actuator.shutdown()
        await httpClient.shutdown()
        logger.notice("fulcrumd stopped; every worker unit was left as it was")
        // A service that failed (a socket that could not be bound, say) must fail the unit, so
        // systemd records it and Restart=on-failure applies.
        if let failure { throw failure }
    }

    /// Runs the services until SIGTERM/SIGINT; returns the error that stopped them, if any.
    private static func runUntilStopped(_ services: [ServiceGroupConfiguration.ServiceConfiguration], logger: Logger) async -> (any Error)? {
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
            return nil
        } catch {
            logger.error("fulcrumd stopped on an error", metadata: ["error": "\(error)"])
            return error
        }
    }

    private static func makeScraper(_ configuration: DaemonConfiguration) -> (ScrapeHTTPClient, Scraper) {
        let scraperConfiguration = ScraperConfiguration(
            timeout: configuration.intervals.scrapeTimeout, interval: configuration.intervals.scrape,
            reusesConnections: configuration.metricsConnections == .keepAlive
        )
        let httpClient = ScrapeHTTPClient(configuration: scraperConfiguration)
        return (httpClient, Scraper(httpClient: httpClient, configuration: scraperConfiguration))
    }

    private static func makeActuator(_ configuration: DaemonConfiguration, scraper: Scraper, fence: (any ActuationFence)?,
                                     now: @escaping @Sendable () -> Timestamp) throws -> SystemdActuator {
        try SystemdActuator(
            configuration: try SystemdFleet.actuatorConfiguration(configuration),
            router: try SystemdFleet.routerHook(configuration),
            loadProvider: ScrapedLoad(scraper: scraper, staleAfterSeconds: configuration.controller.estimation.staleAfterSeconds, now: now),
            fence: fence,
            logger: Logger(label: "fulcrumd.systemd"),
            wallClock: now
        )
    }

    /// The etcd election, when the configuration has `coordination`.
    private static func makeElection(_ configuration: DaemonConfiguration) throws -> LeaderElection? {
        guard let coordination = configuration.coordination else { return nil }
        // One call to one endpoint may take a quarter of the TTL (0.5-2 s), so a leader cut
        // off from one member still renews through another before its lease runs out.
        let timeout = Duration.seconds(min(2, max(0.5, coordination.leaseTTL.inSeconds / 4)))
        let client = try EtcdClient(coordination, requestTimeout: timeout)
        return LeaderElection(client: client, prefix: coordination.prefix, ttlSeconds: Int(coordination.leaseTTL.inSeconds),
                              identity: DaemonIdentity(name: coordination.name, controlSocket: configuration.control.path),
                              logger: Logger(label: "fulcrumd.coordination"))
    }

    /// The daemon's state, resumed from the state file: operators' overrides, hand drains and
    /// audit trail survive a restart. With coordination it lives in etcd instead: the leader
    /// writes it, and the election service loads it (docs/deploy.md#13-two-head-nodes-with-etcd).
    private static func makeCore(_ configuration: DaemonConfiguration, fleet: SystemdFleet, telemetry: ScrapeService,
                                 sharedState writer: SharedStateWriter?, logger: Logger) -> DaemonCore {
        if let writer {
            return DaemonCore(configuration: configuration, fleet: fleet, telemetry: telemetry, persist: { writer.submit($0) })
        }
        let store = OperatorStateStore(path: configuration.stateFile ?? OperatorStateStore.defaultPath())
        let saveFailures = SaveFailureLog(logger: logger)
        return DaemonCore(configuration: configuration, fleet: fleet, telemetry: telemetry,
                          restored: restoreOperatorState(store, logger: logger), persist: { state in
            do {
                try store.save(state)
                saveFailures.succeeded()
            } catch {
                saveFailures.failed("Saving the operator state to \(store.path) failed (\(error.localizedDescription)); overrides still apply but would be lost on a restart; check that the folder is writable.")
            }
        })
    }

    private static func restoreOperatorState(_ store: OperatorStateStore, logger: Logger) -> OperatorState? {
        do {
            let restored = try store.load()
            if let restored {
                logger.notice("restored operator state", metadata: [
                    "file": "\(store.path)", "audit_entries": "\(restored.audit.count)",
                    "manual_drains": "\(restored.overrides.manualDrains.count)",
                ])
            }
            return restored
        } catch {
            logger.error("\(error)")
            return nil
        }
    }

    /// `systemctl reload fulcrumd` (SIGHUP) and `POST /v1/reload`: a file with problems is
    /// refused and the daemon keeps running on the configuration it has.
    private func makeReload(core: DaemonCore, scrape: ScrapeService, actuator: SystemdActuator, metrics: DaemonMetrics, notifier: SystemdNotifier,
                            logger: Logger, now: @escaping @Sendable () -> Timestamp) -> @Sendable (Requester?) async throws -> String {
        let path = configurationPath
        let forceDryRun = self.forceDryRun
        return { requester in
            notifier.notify(["RELOADING=1", "MONOTONIC_USEC=\(DispatchTime.now().uptimeNanoseconds / 1000)"])
            defer { notifier.notify(["READY=1"]) }
            do {
                let running = await core.configuration
                var read = try DaemonConfiguration.load(path: path)
                if forceDryRun { read.dryRun = true }
                let waiting = read.restartOnlyChanges(from: running)
                let next = read.keepingRestartOnly(from: running)
                await core.reload(next, requester: requester, now: now())
                await scrape.update(configuration: next)
                await actuator.setDryRun(next.dryRun)
                metrics.recordReload(success: true)
                guard !waiting.isEmpty else {
                    logger.notice("configuration reloaded", metadata: ["file": "\(path)"])
                    return "reloaded \(path)"
                }
                let pending = "changes to \(waiting.joined(separator: ", ")) take effect only after a restart (systemctl restart fulcrumd; workers keep running and are adopted)"
                logger.warning("configuration reloaded; \(pending)", metadata: ["file": "\(path)"])
                return "reloaded \(path); \(pending)"
            } catch {
                metrics.recordReload(success: false)
                logger.error("configuration reload rejected; still running on the previous configuration", metadata: ["file": "\(path)", "error": "\(error)"])
                throw error
            }
        }
    }

    private static func makeControlServer(_ configuration: DaemonConfiguration, core: DaemonCore, metrics: DaemonMetrics, readiness: Readiness,
                                          reload: @escaping @Sendable (Requester?) async throws -> String,
                                          now: @escaping @Sendable () -> Timestamp) -> ControlAPIServer {
        let listener: ControlAPIServer.Listener = if let fd = SystemdNotifier.activatedSockets().first {
            .activated(fileDescriptor: fd)
        } else {
            .path(configuration.control.path, mode: configuration.control.mode, group: configuration.control.group)
        }
        return ControlAPIServer(
            handler: ControlRequestHandler(core: core, logger: Logger(label: "fulcrumd.control"), metrics: metrics, now: now, reload: reload),
            listener: listener, logger: Logger(label: "fulcrumd.control"),
            onListening: { await readiness.mark(.controlSocket) }
        )
    }

    private static func makeMetricsServer(_ configuration: DaemonConfiguration, core: DaemonCore, metrics: DaemonMetrics,
                                          readiness: Readiness, logger: Logger) -> some Service {
        MetricsServer.application(
            metrics: metrics,
            readinessProblem: {
                await readiness.problem(at: .now, tick: await core.configuration.intervals.tick, nodes: await core.lastObservation?.nodes ?? [],
                                        election: await core.election)
            },
            host: configuration.metrics.host, port: configuration.metrics.port, logger: Logger(label: "fulcrumd.metrics"),
            onServerRunning: { port in
                logger.info("metrics endpoint listening", metadata: ["port": "\(port)"])
                await readiness.mark(.metricsEndpoint)
            }
        )
    }
}

/// SIGHUP → reload, the `systemctl reload fulcrumd` path.
struct ReloadOnHangup: Service {
    let reload: @Sendable (Requester?) async throws -> String
    let logger: Logger

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            _ = try? await reload(nil)
        }
    }
}

/// Logs what the actuator notices (crashes, failures, unreachable nodes) as it happens.
struct ActuatorEventLogger: Service {
    let actuator: SystemdActuator
    let logger: Logger
    let metrics: DaemonMetrics

    func run() async throws {
        for await event in actuator.events.cancelOnGracefulShutdown() {
            switch event {
            case .drainIdle: metrics.recordDrain(outcome: "empty")
            case .drainTimedOut: metrics.recordDrain(outcome: "timeout")
            case .workerFailed: metrics.recordWorkerFailure()
            default: break
            }
            switch event {
            case .workerFailed, .nodeUnreachable, .drainTimedOut: logger.warning("\(event)")
            default: logger.notice("\(event)")
            }
        }
    }
}

/// Logs a failing state save once, not on every change, and says when it works again.
final class SaveFailureLog: Sendable {
    private let failing = Mutex(false)
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func failed(_ message: String) {
        if failing.withLock({ state in defer { state = true }; return !state }) { logger.error("\(message)") }
    }

    func succeeded() {
        if failing.withLock({ state in defer { state = false }; return state }) { logger.notice("saving the operator state works again") }
    }
}
