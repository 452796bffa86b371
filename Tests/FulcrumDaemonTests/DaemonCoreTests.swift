@testable import FulcrumConfiguration
import FulcrumCore
import FulcrumTestSupport
import Testing
@testable import FulcrumDaemon

/// An in-memory fleet for the loop's logic only; the systemd fleet is tested against real
/// systemd managers in FulcrumSystemdTests and the end-to-end daemon tests.
actor RecordingFleet: WorkerFleet {
    var workers: [WorkerSnapshot]
    let nodes: [NodeSnapshot]
    private(set) var executed: [ScalingAction] = []
    private(set) var reconciles = 0

    init(nodes: [NodeSnapshot], workers: [WorkerSnapshot]) {
        self.nodes = nodes
        self.workers = workers
    }

    func observe() async -> FleetObservation { FleetObservation(nodes: nodes, workers: workers) }

    func execute(_ actions: [ScalingAction]) async -> [ActionReport] {
        executed.append(contentsOf: actions)
        return actions.map { ActionReport(action: $0, result: .done) }
    }

    func reconcile() async { reconciles += 1 }

    func replaceWorkers(_ next: [WorkerSnapshot]) { workers = next }
}

struct NoTelemetry: TelemetryProvider {
    func telemetry(for workers: [WorkerSnapshot]) async -> [WorkerID: WorkerTelemetry] { [:] }
    func frontend() async -> FrontendTelemetry? { nil }
}

/// Every worker idle and freshly scraped at `at`.
struct IdleTelemetry: TelemetryProvider {
    let at: Timestamp

    func telemetry(for workers: [WorkerSnapshot]) async -> [WorkerID: WorkerTelemetry] {
        Dictionary(uniqueKeysWithValues: workers.map { ($0.id, WorkerTelemetry(scrapedAt: at, requestsWaiting: 0, requestsRunning: 0)) })
    }

    func frontend() async -> FrontendTelemetry? { nil }
}

@Suite("Daemon core")
struct DaemonCoreTests {
    static func configuration(dryRun: Bool = false) throws -> DaemonConfiguration {
        var configuration = try DaemonConfiguration.parse(yaml: ConfigurationFixtures.minimal, source: "test.yaml")
        configuration.dryRun = dryRun
        return configuration
    }

    static let nodes = [NodeSnapshot(name: "gpu-a", gpus: [0, 1, 2, 3])]

    @Test("an empty fleet gets its minimum workers started; dry-run starts nothing")
    func coldStart() async throws {
        let fleet = RecordingFleet(nodes: Self.nodes, workers: [])
        let core = DaemonCore(configuration: try Self.configuration(), fleet: fleet, telemetry: NoTelemetry())
        let decision = await core.tick(now: Timestamp(seconds: 0))
        #expect(decision.desired == PerRole(prefill: 1, decode: 1))
        #expect(await fleet.executed.count == 2)

        let dryFleet = RecordingFleet(nodes: Self.nodes, workers: [])
        let dry = DaemonCore(configuration: try Self.configuration(dryRun: true), fleet: dryFleet, telemetry: NoTelemetry())
        await dry.tick(now: Timestamp(seconds: 0))
        #expect(await dryFleet.executed.isEmpty)
        #expect(await dry.lastOutcomes.allSatisfy { $0.result == .skippedDryRun })
    }

    @Test("overrides are audited with who asked, and pause stops all actions until it expires")
    func pauseAudit() async throws {
        let fleet = RecordingFleet(nodes: Self.nodes, workers: [])
        let core = DaemonCore(configuration: try Self.configuration(), fleet: fleet, telemetry: NoTelemetry())
        let who = Requester(uid: 1000, gid: 1000, pid: 4242)
        let entry = await core.apply(.pause, ttlSeconds: 60, reason: "maintenance", requester: who, now: Timestamp(seconds: 0))
        #expect(entry.action == "pause for 1m")
        #expect(await core.audit.last?.requester == who)
        await core.tick(now: Timestamp(seconds: 10))
        #expect(await fleet.executed.isEmpty)
        let after = await core.tick(now: Timestamp(seconds: 70))
        #expect(after.has(.overrideExpired))
        #expect(await fleet.executed.count == 2)
        #expect(await core.overrides.pause == nil)
    }

    @Test("status lists the workers up to max_workers, and counts them by role and state either way")
    func statusSummary() async throws {
        let workers = [
            WorkerSnapshot(id: WorkerID("gpu-a/llm-prefill@g0.service"), role: .prefill, node: "gpu-a", gpus: [0], lifecycle: .ready, startedAt: Timestamp(seconds: 0)),
            WorkerSnapshot(id: WorkerID("gpu-a/llm-decode@g2-3.service"), role: .decode, node: "gpu-a", gpus: [2, 3], lifecycle: .starting, startedAt: Timestamp(seconds: 0)),
        ]
        let core = DaemonCore(configuration: try Self.configuration(), fleet: RecordingFleet(nodes: Self.nodes, workers: workers), telemetry: NoTelemetry())
        await core.tick(now: Timestamp(seconds: 0))
        let full = await core.statusView(now: Timestamp(seconds: 1))
        #expect(full.workers.count == 2)
        #expect(full.workerCount == 2)
        #expect(full.workerStates == PerRole(prefill: ["ready": 1], decode: ["starting": 1]))
        #expect(await core.statusView(now: Timestamp(seconds: 1), maxWorkers: 2).workers.count == 2)
        let brief = await core.statusView(now: Timestamp(seconds: 1), maxWorkers: 1)
        #expect(brief.workers.isEmpty)
        #expect(brief.workerCount == 2)
    }

    @Test("status names a failing scrape of a ready worker, whose values are older; a starting one's is expected")
    func statusNamesFailingScrapes() async throws {
        let workers = [
            WorkerSnapshot(id: WorkerID("gpu-a/llm-prefill@g0.service"), role: .prefill, node: "gpu-a", gpus: [0], lifecycle: .ready, startedAt: Timestamp(seconds: 0)),
            WorkerSnapshot(id: WorkerID("gpu-a/llm-decode@g2-3.service"), role: .decode, node: "gpu-a", gpus: [2, 3], lifecycle: .starting, startedAt: Timestamp(seconds: 0)),
        ]
        struct FailingScrapes: TelemetryProvider {
            func telemetry(for workers: [WorkerSnapshot]) async -> [WorkerID: WorkerTelemetry] { [:] }
            func frontend() async -> FrontendTelemetry? { nil }
            func scrapeErrors() async -> [WorkerID: String] {
                ["gpu-a/llm-prefill@g0.service": "http://a:30000/metrics answered HTTP 500 instead of 200",
                 "gpu-a/llm-decode@g2-3.service": "cannot reach http://a:30102/metrics (connection refused)"]
            }
        }
        let core = DaemonCore(configuration: try Self.configuration(), fleet: RecordingFleet(nodes: Self.nodes, workers: workers), telemetry: FailingScrapes())
        #expect(await core.workersView(now: Timestamp(seconds: 0)).workers.allSatisfy { $0.scrapeError == nil }, "nothing before a tick")
        await core.tick(now: Timestamp(seconds: 0))
        let listed = Dictionary(uniqueKeysWithValues: await core.workersView(now: Timestamp(seconds: 1)).workers.map { ($0.id, $0) })
        #expect(listed["gpu-a/llm-prefill@g0.service"]?.scrapeError == "http://a:30000/metrics answered HTTP 500 instead of 200")
        #expect(listed["gpu-a/llm-decode@g2-3.service"]?.scrapeError == nil)
    }

    @Test("draining a worker the fleet does not report is a 404 and touches nothing")
    func drainUnknown() async throws {
        let fleet = RecordingFleet(nodes: Self.nodes, workers: [])
        let core = DaemonCore(configuration: try Self.configuration(), fleet: fleet, telemetry: NoTelemetry())
        await #expect(throws: ControlError.self) {
            try await core.drain(WorkerID("gpu-a/sshd.service"), reason: nil, requester: nil, now: Timestamp(seconds: 0))
        }
        #expect(await fleet.executed.isEmpty)
    }

    @Test("a hand drain in dry-run drains nothing and sets nothing aside for later")
    func dryRunDrainLeavesNoTrace() async throws {
        let decode = WorkerSnapshot(id: WorkerID("gpu-a/llm-decode@g1-2.service"), role: .decode, node: "gpu-a", gpus: [1, 2],
                                    lifecycle: .ready, startedAt: Timestamp(seconds: 0))
        let fleet = RecordingFleet(nodes: Self.nodes, workers: [decode])
        let core = DaemonCore(configuration: try Self.configuration(dryRun: true), fleet: fleet, telemetry: NoTelemetry())
        let report = try await core.drain(decode.id, reason: "trying it out", requester: nil, now: Timestamp(seconds: 1))
        #expect(report.result == .skippedDryRun)
        #expect(await fleet.executed.isEmpty)
        let overrides = await core.operatorState.overrides
        #expect(overrides.manualDrains.isEmpty && overrides.handDrainedGPUs.isEmpty)
    }

    @Test("a bounds override that would widen the configured bounds is refused, naming the key to change instead")
    func boundsOverrideMayOnlyTighten() async throws {
        var configuration = try Self.configuration()
        configuration.controller.maxInstances.decode = 4
        let core = DaemonCore(configuration: configuration, fleet: RecordingFleet(nodes: Self.nodes, workers: []), telemetry: NoTelemetry())
        func refusal(min: PerRole<Int?> = PerRole(repeating: nil), max: PerRole<Int?> = PerRole(repeating: nil)) async -> ControlError? {
            await core.refusal(of: .bounds(RoleBounds(min: min, max: max)))
        }
        let lowered = await refusal(min: PerRole(prefill: 0, decode: nil))
        #expect(lowered?.status == 409)
        #expect(lowered?.message == "min_prefill 0 is below budget.min_prefill (1); a bounds override can only tighten the configured bounds, so change budget.min_prefill in the configuration and reload")
        #expect(await refusal(max: PerRole(prefill: nil, decode: 5))?.message.hasPrefix("max_decode 5 is above budget.max_decode (4)") == true)
        #expect(await refusal(min: PerRole(prefill: nil, decode: 5))?.message.hasPrefix("min_decode 5 is above budget.max_decode (4)") == true)
        #expect(await refusal(max: PerRole(prefill: 0, decode: nil))?.message.hasPrefix("max_prefill 0 is below budget.min_prefill (1)") == true)
        #expect(await refusal(min: PerRole(prefill: 2, decode: 1), max: PerRole(prefill: 6, decode: 3)) == nil)
        #expect(await core.refusal(of: .pause) == nil)
    }

    @Test("a worker drained by hand is replaced on other GPUs, not restarted on the ones the operator emptied")
    func handDrainReplacementGoesElsewhere() async throws {
        func worker(_ unit: String, _ role: Role, gpus: [Int]) -> WorkerSnapshot {
            WorkerSnapshot(id: WorkerID("gpu-a/\(unit)"), role: role, node: "gpu-a", gpus: gpus, lifecycle: .ready, startedAt: Timestamp(seconds: 0))
        }
        // Decode instances take 2 GPUs here.
        let prefill = worker("llm-prefill@g0.service", .prefill, gpus: [0])
        let decode = worker("llm-decode@g1-2.service", .decode, gpus: [1, 2])
        let fleet = RecordingFleet(nodes: Self.nodes, workers: [prefill, decode])
        let core = DaemonCore(configuration: try Self.configuration(), fleet: fleet, telemetry: IdleTelemetry(at: Timestamp(seconds: 10)))
        _ = await core.apply(.counts(PerRole(prefill: 1, decode: 1)), ttlSeconds: nil, reason: nil, requester: nil, now: Timestamp(seconds: 0))
        let report = try await core.drain(decode.id, reason: "xid errors", requester: nil, now: Timestamp(seconds: 1))
        #expect(report.result == .done)
        #expect(await core.operatorState.overrides.handDrainedGPUs == ["gpu-a": [1, 2]])
        // The drained worker has stopped: GPUs 1-3 are free, and the lowest pair would be 1-2.
        await fleet.replaceWorkers([prefill])
        await core.tick(now: Timestamp(seconds: 10))
        let executed = await fleet.executed
        #expect(executed.last == .start(role: .decode, node: "gpu-a", gpus: [2, 3]), "executed: \(executed)")
    }
}
