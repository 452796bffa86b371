import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOHTTP1

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the split, the workers, overrides and the last decisions.")
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        let status = try await DaemonClient(socket: options.socket).call(.GET, "/v1/status")
        if options.json { return printJSON(status) }
        guard let s = status as? [String: Any] else { return printJSON(status) }
        let current = s["current"] as? [String: Int] ?? [:]
        let desired = s["desired"] as? [String: Int] ?? [:]
        print("● fulcrumd\(s["dry_run"] as? Bool == true ? " (dry-run)" : "")\(s["paused"] as? Bool == true ? " — paused" : "")")
        print("      Split: prefill \(current["prefill"] ?? 0) → \(desired["prefill"] ?? 0), decode \(current["decode"] ?? 0) → \(desired["decode"] ?? 0)")
        print("       GPUs: \(s["gpus_in_use"] ?? 0) in use of \(s["gpu_budget"] ?? 0)")
        let overrides = (s["overrides"] as? [String: Any] ?? [:]).keys.sorted()
        print("  Overrides: \(overrides.isEmpty ? "none" : overrides.joined(separator: ", "))")
        if let last = (s["last_decisions"] as? [[String: Any]])?.last {
            print("       Last: \((last["reasons"] as? [String] ?? []).first ?? "steady")")
        }
        print()
        WorkersCommand.render(s["workers"] as? [[String: Any]] ?? [])
    }
}

struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workers", abstract: "List the workers fulcrumd manages.")
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        let workers = try await DaemonClient(socket: options.socket).call(.GET, "/v1/workers")
        if options.json { return printJSON(workers) }
        Self.render(workers as? [[String: Any]] ?? [])
    }

    static func render(_ workers: [[String: Any]]) {
        func number(_ value: Any?) -> String { (value as? Double).map { String(Int($0)) } ?? "-" }
        printTable(["worker", "role", "state", "gpus", "running", "waiting", "kv", "health"], workers.map { worker in
            [
                worker["id"] as? String ?? "?", worker["role"] as? String ?? "?", worker["state"] as? String ?? "?",
                (worker["gpus"] as? [Int] ?? []).map(String.init).joined(separator: ","),
                number(worker["requests_running"]), number(worker["requests_waiting"]),
                (worker["kv_cache_usage"] as? Double).map { "\(Int($0 * 100))%" } ?? "-",
                worker["healthy"] as? Bool == true ? "ok" : "stale",
            ]
        })
        print("\n\(workers.count) worker(s) listed.")
    }
}

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain", abstract: "Why the last decision came out as it did, with the numbers.")
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        let decision = try await DaemonClient(socket: options.socket).call(.GET, "/v1/explain")
        if options.json { return printJSON(decision) }
        guard let d = decision as? [String: Any] else { return printJSON(decision) }
        let estimate = d["estimate"] as? [String: Any] ?? [:]
        func pair(_ key: String) -> String {
            let value = d[key] as? [String: Any] ?? [:]
            return "prefill \(value["prefill"] ?? "-"), decode \(value["decode"] ?? "-")"
        }
        print("current \(pair("current")); recommended \(pair("recommended")); desired \(pair("desired"))")
        let demand = estimate["demand"] as? [String: Double] ?? [:]
        print(String(format: "arrivals %.2f req/s (forecast %.2f in %.0f s); demand prefill %.0f tok/s, decode %.0f tok/s",
                     estimate["arrivalRate"] as? Double ?? 0, estimate["forecastArrivalRate"] as? Double ?? 0,
                     estimate["forecastHorizonSeconds"] as? Double ?? 0, demand["prefill"] ?? 0, demand["decode"] ?? 0))
        print()
        printTable(["reason", "role", "detail"], (d["reasons"] as? [[String: Any]] ?? []).map {
            [$0["code"] as? String ?? "?", $0["role"] as? String ?? "-", $0["message"] as? String ?? ""]
        })
        let actions = d["actions"] as? [Any] ?? []
        print("\n\(actions.count) action(s).")
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

        func fields() -> [String: Any] {
            var fields: [String: Any] = [:]
            if let ttl { fields["ttl"] = ttl }
            if let reason { fields["reason"] = reason }
            return fields
        }
    }

    struct Ratio: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Keep a prefill:decode instance ratio, e.g. 1:3; the total still follows demand.")
        @Argument(help: "P:D, e.g. 1:3") var ratio: String
        @OptionGroup var common: Common
        @OptionGroup var options: DaemonOptions

        func run() async throws {
            let parts = ratio.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2 else { throw ValidationError("ratio \"\(ratio)\" is not P:D; write it like 1:3.") }
            try await send(options, ["kind": "ratio", "prefill": parts[0], "decode": parts[1]].merging(common.fields()) { $1 })
        }
    }

    struct Counts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run exactly these instance counts.")
        @Option(help: "Prefill instances.") var prefill: Int
        @Option(help: "Decode instances.") var decode: Int
        @OptionGroup var common: Common
        @OptionGroup var options: DaemonOptions

        func run() async throws {
            try await send(options, ["kind": "counts", "prefill": prefill, "decode": decode].merging(common.fields()) { $1 })
        }
    }

    struct Bounds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tighten per-role minimum and maximum instance counts.")
        @Option var minPrefill: Int?
        @Option var minDecode: Int?
        @Option var maxPrefill: Int?
        @Option var maxDecode: Int?
        @OptionGroup var common: Common
        @OptionGroup var options: DaemonOptions

        func run() async throws {
            var fields: [String: Any] = ["kind": "bounds"]
            if let minPrefill { fields["min_prefill"] = minPrefill }
            if let minDecode { fields["min_decode"] = minDecode }
            if let maxPrefill { fields["max_prefill"] = maxPrefill }
            if let maxDecode { fields["max_decode"] = maxDecode }
            try await send(options, fields.merging(common.fields()) { $1 })
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Clear one kind of override (ratio, counts, bounds, pause), or all.")
        @Argument(help: "ratio, counts, bounds or pause; all when omitted") var kind: String?
        @OptionGroup var options: DaemonOptions

        func run() async throws {
            let result = try await DaemonClient(socket: options.socket).call(.DELETE, "/v1/overrides" + (kind.map { "?kind=\($0)" } ?? ""))
            report(options, result)
        }
    }

    static func send(_ options: DaemonOptions, _ fields: [String: Any]) async throws {
        report(options, try await DaemonClient(socket: options.socket).call(.POST, "/v1/overrides", body: fields))
    }
}

struct PauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Hold everything: no starts, no drains.")
    @OptionGroup var common: OverrideCommand.Common
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        report(options, try await DaemonClient(socket: options.socket).call(.POST, "/v1/pause", body: common.fields()))
    }
}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "End a pause.")
    @OptionGroup var options: DaemonOptions
    func run() async throws { report(options, try await DaemonClient(socket: options.socket).call(.POST, "/v1/resume")) }
}

struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drain", abstract: "Drain one worker (NODE/UNIT as 'fulcrumctl workers' lists it).")
    @Argument(help: "The worker, e.g. gpu-a/llm-decode@g4-7.service") var worker: String
    @Option(help: "Why, for the audit log.") var reason: String?
    @OptionGroup var options: DaemonOptions

    func run() async throws {
        let encoded = worker.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? worker
        report(options, try await DaemonClient(socket: options.socket).call(.POST, "/v1/workers/\(encoded)/drain", body: reason.map { ["reason": $0] } ?? [:]))
    }
}

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reconcile", abstract: "List units on every node now and adopt or clear as needed.")
    @OptionGroup var options: DaemonOptions
    func run() async throws { report(options, try await DaemonClient(socket: options.socket).call(.POST, "/v1/reconcile")) }
}

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Re-read fulcrumd's configuration file (like systemctl reload fulcrumd).")
    @OptionGroup var options: DaemonOptions
    func run() async throws { report(options, try await DaemonClient(socket: options.socket).call(.POST, "/v1/reload")) }
}

func report(_ options: DaemonOptions, _ result: Any) {
    if options.json { return printJSON(result) }
    print((result as? [String: Any])?["change"] as? String ?? "done")
}
