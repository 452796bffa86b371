import ArgumentParser
import Foundation
import FulcrumControlAPI
import FulcrumCore
import NIOHTTP1

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the split, the workers, overrides and the last decisions.")
    @OptionGroup var options: DaemonOptions

    /// Past this many workers the text view summarises them (`fulcrumctl workers` lists
    /// them all): a table of 1,000 rows is not a status, and not listing it keeps the call fast.
    static let listLimit = 20

    func run() async throws {
        let path = options.json ? ControlPath.status : "\(ControlPath.status)?max_workers=\(Self.listLimit)"
        let reply = try await options.client.get(path, as: StatusView.self)
        if options.json { return printJSON(reply.json) }
        let status = reply.view
        let current = status.current ?? PerRole(repeating: 0)
        let desired = status.desired ?? PerRole(repeating: 0)
        print("● fulcrumd\(status.dryRun ? " (dry-run)" : "")\(status.paused ? " — paused" : "")")
        print("      Split: prefill \(current.prefill) → \(desired.prefill), decode \(current.decode) → \(desired.decode)")
        print("       GPUs: \(status.gpusInUse) in use of \(status.gpuBudget)")
        let overrides = status.overrides.kinds
        print("  Overrides: \(overrides.isEmpty ? "none" : overrides.joined(separator: ", "))")
        if let held = status.fleetTakenOver { print(" Taken over: prefill \(held.prefill), decode \(held.decode)") }
        if let coordination = status.coordination { print("       Role: \(Self.describe(coordination))") }
        if let last = status.lastDecisions.last {
            print("       Last: \(last.reasons.first ?? "steady")")
        }
        print()
        if let count = status.workerCount, count > status.workers.count {
            print(Self.summarise(count: count, states: status.workerStates))
        } else {
            WorkersCommand.render(status.workers)
        }
    }

    /// "1000 workers — prefill 400 (390 ready, 10 starting), decode 600 (...); `fulcrumctl workers` lists them."
    static func summarise(count: Int, states: PerRole<[String: Int]>?) -> String {
        let roles = Role.allCases.compactMap { role -> String? in
            guard let byState = states?[role], !byState.isEmpty else { return nil }
            let total = byState.values.reduce(0, +)
            let detail = WorkerLifecycle.allCases.compactMap { state in byState[state.rawValue].map { "\($0) \(state.rawValue)" } }
            return "\(role.rawValue) \(total) (\(detail.joined(separator: ", ")))"
        }
        return "\(count) workers — \(roles.joined(separator: ", ")); `fulcrumctl workers` lists them."
    }

    /// "leader (lease 7 s of 10 s)", "standby; leader b on head-2 (pid 81)", "unavailable: why".
    static func describe(_ coordination: CoordinationView) -> String {
        let lease = coordination.leaseRemainingSeconds.map { "lease \(Int($0)) s of \(coordination.leaseTTLSeconds) s" } ?? "no lease"
        switch coordination.role {
        case "leader":
            return "leader as \(coordination.me.name) (\(lease))"
        case "standby":
            let leader = coordination.leader.map { "\($0.name) on \($0.host) (pid \($0.pid))" } ?? "unknown"
            return "standby as \(coordination.me.name); leader \(leader)"
        default:
            return "\(coordination.role) as \(coordination.me.name): \(coordination.problem ?? "no lease")"
        }
    }
}

struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workers", abstract: "List the workers fulcrumd manages.")
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        let reply = try await options.client.get(ControlPath.workers, as: WorkersView.self)
        if options.json { return printJSON(reply.json) }
        Self.render(reply.view.workers)
    }

    static func render(_ workers: [WorkerView]) {
        func number(_ value: Double?) -> String { value.map { String(Int($0)) } ?? "-" }
        printTable(["worker", "role", "state", "gpus", "running", "waiting", "kv", "health"], workers.map { worker in
            [
                worker.id, worker.role.rawValue, worker.state.rawValue, worker.gpus.map(String.init).joined(separator: ","),
                number(worker.requestsRunning), number(worker.requestsWaiting),
                worker.kvCacheUsage.map { "\(Int($0 * 100))%" } ?? "-",
                !worker.healthy ? "stale" : worker.scrapeError == nil ? "ok" : "scrape failing",
            ]
        })
        print("\n\(workers.count) worker(s) listed.")
        for worker in workers {
            if let error = worker.scrapeError { print("\(worker.id): \(error).") }
        }
    }
}

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Why the last decision came out as it did, with the numbers.")
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        let reply = try await options.client.get(ControlPath.explain, as: ExplainView.self)
        if options.json { return printJSON(reply.json) }
        let decision = reply.view.decision
        func pair(_ counts: PerRole<Int>) -> String { "prefill \(counts.prefill), decode \(counts.decode)" }
        print("current \(pair(decision.current)); recommended \(pair(decision.recommended)); desired \(pair(decision.desired))")
        let estimate = decision.estimate
        print(String(format: "arrivals %.2f req/s (forecast %.2f in %.0f s); demand prefill %.0f tok/s, decode %.0f tok/s",
                     estimate.arrivalRate ?? 0, estimate.forecastArrivalRate ?? 0, estimate.forecastHorizonS ?? 0,
                     estimate.demandTokensPerS.prefill ?? 0, estimate.demandTokensPerS.decode ?? 0))
        print()
        printTable(["reason", "role", "detail"], decision.reasons.map { [$0.code, $0.role ?? "-", $0.message] })
        print("\n\(decision.actions.count) action(s).")
    }
}

struct OverrideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "override",
        abstract: "Set or clear a manual override.",
        subcommands: [Ratio.self, Counts.self, Bounds.self, Clear.self]
    )

    struct Common: ParsableArguments {
        @Option(help: "How long the override lasts, e.g. 30m, 2h (default: until cleared).")
        var ttl: String?
        @Option(help: "Why, for the audit log.")
        var reason: String?

        func body(kind: String) -> OverrideBody { OverrideBody(kind: kind, ttl: ttl, reason: reason) }
    }

    struct Ratio: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ratio", abstract: "Keep a prefill:decode instance ratio, e.g. 1:3; the total still follows demand.")
        @Argument(help: "P:D, e.g. 1:3") var ratio: String
        @OptionGroup var common: Common
        @OptionGroup var options: DaemonOptions

        func run() async throws {
            let parts = ratio.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard parts.count == 2, let prefill = parts[0], let decode = parts[1] else {
                throw ValidationError("ratio \"\(ratio)\" is not P:D with two whole numbers; write it like 1:3.")
            }
            var body = common.body(kind: "ratio")
            (body.prefill, body.decode) = (prefill, decode)
            try await send(options, body)
        }
    }

    struct Counts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "counts", abstract: "Run exactly these instance counts.")
        @Option(help: "Prefill instances.") var prefill: Int
        @Option(help: "Decode instances.") var decode: Int
        @OptionGroup var common: Common
        @OptionGroup var options: DaemonOptions

        func run() async throws {
            var body = common.body(kind: "counts")
            (body.prefill, body.decode) = (prefill, decode)
            try await send(options, body)
        }
    }

    struct Bounds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "bounds", abstract: "Tighten per-role minimum and maximum instance counts.")
        @Option var minPrefill: Int?
        @Option var minDecode: Int?
        @Option var maxPrefill: Int?
        @Option var maxDecode: Int?
        @OptionGroup var common: Common
        @OptionGroup var options: DaemonOptions

        func run() async throws {
            var body = common.body(kind: "bounds")
            (body.minPrefill, body.minDecode, body.maxPrefill, body.maxDecode) = (minPrefill, minDecode, maxPrefill, maxDecode)
            try await send(options, body)
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear", abstract: "Clear one kind of override (ratio, counts, bounds, pause), or all.")
        @Argument(help: "ratio, counts, bounds or pause; all when omitted") var kind: String?
        @OptionGroup var options: DaemonOptions

        func run() async throws {
            try report(options, try await options.client.change(.DELETE, ControlPath.overrides(clearing: kind)))
        }
    }

    static func send(_ options: DaemonOptions, _ body: OverrideBody) async throws {
        try report(options, try await options.client.change(.POST, ControlPath.overrides, body: body))
    }
}

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Hold everything: no starts, no drains.")
    @OptionGroup var common: OverrideCommand.Common
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        try report(options, try await options.client.change(.POST, ControlPath.pause, body: PauseBody(ttl: common.ttl, reason: common.reason)))
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "End a pause.")
    @OptionGroup var options: DaemonOptions
    func run() async throws { try report(options, try await options.client.change(.POST, ControlPath.resume)) }
}

struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drain", abstract: "Drain one worker (NODE/UNIT as 'fulcrumctl workers' lists it).")
    @Argument(help: "The worker, e.g. gpu-a/llm-decode@g4-7.service") var worker: String
    @Option(help: "Why, for the audit log.") var reason: String?
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        try report(options, try await options.client.change(.POST, ControlPath.drain(worker), body: ReasonBody(reason: reason)))
    }
}

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reconcile", abstract: "List units on every node now and adopt or clear as needed.")
    @OptionGroup var options: DaemonOptions
    func run() async throws { try report(options, try await options.client.change(.POST, ControlPath.reconcile)) }
}

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Re-read fulcrumd's configuration file (like systemctl reload fulcrumd).")
    @OptionGroup var options: DaemonOptions
    func run() async throws { try report(options, try await options.client.change(.POST, ControlPath.reload)) }
}

struct TakeOverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "take-over",
        abstract: "Take over the fleet running now as the one fulcrumd holds while traffic is bursty.",
        discussion: """
            While arrivals are bursty (and while fulcrumd still learns the traffic) no role \
            shrinks below the fleet fulcrumd took over when it first ran; a restart keeps it. \
            After resizing the fleet by hand, or when that fleet is larger than any burst needs, \
            this forgets it: the next tick takes over what runs then.
            """
    )
    @Option(help: "Why, for the audit log.") var reason: String?
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        try report(options, try await options.client.change(.POST, ControlPath.takeOver, body: ReasonBody(reason: reason)))
    }
}

/// Prints what changed, and for a hand drain what became of it; a change fulcrumd could not
/// make (a drain refused or failed) ends with exit status 1, so a script sees it.
func report(_ options: DaemonOptions, _ reply: Reply<ChangeView>) throws {
    if options.json {
        printJSON(reply.json)
    } else if let outcome = reply.view.outcome {
        print("\(reply.view.change): \(outcome.result)" + (outcome.message.map { " (\($0))" } ?? ""))
    } else {
        print(reply.view.change)
    }
    guard reply.view.ok else { throw ExitCode(1) }
}
