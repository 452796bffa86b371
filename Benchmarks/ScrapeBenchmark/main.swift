// One scrape cycle over many real HTTP endpoints: `ScrapeBenchmark [endpoints] [concurrency] [rounds]`
// (defaults 1000, 64, 5).
//
// The endpoints are Hummingbird servers, one TCP port each, in a child process (this binary
// with `--serve N`), so that the CPU time measured here with getrusage is the scraper's alone:
// HTTP client, decompression-free body collection, parsing and preset mapping. Each endpoint
// serves the same realistic single-engine vLLM V1 exposition (~25 KB). The first round pays
// for TCP connects and engine detection; later rounds reuse keep-alive connections and the
// pinned preset, as the daemon does every interval. `ScrapeBenchmark --exposition` prints the
// served exposition (to time the parser alone on it with ParserBenchmark).

import Foundation
import FulcrumCore
import FulcrumTelemetry
import Hummingbird
import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A vLLM V1 exposition for one engine as the Python client writes it, with the process and
/// GC families every Python server adds.
func vllmExposition() -> String {
    var out = ""
    let labels = "engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\""
    for (name, value) in [("python_gc_objects_collected_total", 1234.0), ("process_virtual_memory_bytes", 1.2e10), ("process_resident_memory_bytes", 3.4e9), ("process_cpu_seconds_total", 812.5), ("process_open_fds", 87.0)] {
        out += "# HELP \(name) Process metric.\n# TYPE \(name) gauge\n\(name) \(value)\n"
    }
    for gauge in ["vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"] {
        out += "# HELP \(gauge) A gauge.\n# TYPE \(gauge) gauge\n\(gauge){\(labels)} 3.0\n"
    }
    for counter in ["vllm:prompt_tokens", "vllm:generation_tokens", "vllm:num_preemptions", "vllm:prefix_cache_queries", "vllm:prefix_cache_hits"] {
        out += "# HELP \(counter)_total A counter.\n# TYPE \(counter)_total counter\n\(counter)_total{\(labels)} 123456.0\n"
        out += "# HELP \(counter)_created A counter.\n# TYPE \(counter)_created gauge\n\(counter)_created{\(labels)} 1.7682643398899963e+09\n"
    }
    out += "# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n"
    for reason in ["stop", "length", "abort", "error"] {
        out += "vllm:request_success_total{engine=\"0\",finished_reason=\"\(reason)\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} 1200.0\n"
    }
    let histograms: [(String, [Double])] = [
        ("vllm:time_to_first_token_seconds", [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0]),
        ("vllm:inter_token_latency_seconds", [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0]),
        ("vllm:time_per_output_token_seconds", [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0]),
        ("vllm:e2e_request_latency_seconds", [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0]),
        ("vllm:request_queue_time_seconds", [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0]),
        ("vllm:request_prompt_tokens", [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]),
        ("vllm:request_generation_tokens", [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]),
        ("vllm:iteration_tokens_total", [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]),
    ]
    for (name, bounds) in histograms {
        out += "# HELP \(name) A histogram.\n# TYPE \(name) histogram\n"
        for (k, bound) in bounds.enumerated() {
            out += "\(name)_bucket{engine=\"0\",le=\"\(bound)\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} \(Double(k * 10))\n"
        }
        out += "\(name)_bucket{engine=\"0\",le=\"+Inf\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\"} \(Double(bounds.count * 10))\n"
        out += "\(name)_count{\(labels)} \(Double(bounds.count * 10))\n\(name)_sum{\(labels)} 1234.5678\n"
        out += "# HELP \(name)_created A histogram.\n# TYPE \(name)_created gauge\n\(name)_created{\(labels)} 1.7682643398902264e+09\n"
    }
    return out
}

func raiseFileLimit() {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

/// User and system CPU seconds of this process, all threads.
func cpuSeconds() -> (user: Double, system: Double) {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return (seconds(usage.ru_utime), seconds(usage.ru_stime))
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

// MARK: - Child: the endpoints

func serve(count: Int) async throws {
    raiseFileLimit()
    let body = ByteBuffer(string: vllmExposition())
    let router = Router()
    router.get("metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: ResponseBody(byteBuffer: body))
    }
    let responder = router.buildResponder()
    var logger = Logger(label: "endpoints")
    logger.logLevel = .critical
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    // The parent closes our stdin when it is done (or dies): then stop.
    Thread.detachNewThread {
        _ = FileHandle.standardInput.readDataToEndOfFile()
        exit(0)
    }
    try await withThrowingDiscardingTaskGroup { group in
        for _ in 0..<count {
            let app = Application(
                responder: responder,
                configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
                logger: logger
            )
            group.addTask { try await app.run() }
        }
        var listing = ""
        var seen = 0
        for await port in ports {
            listing += "\(port)\n"
            seen += 1
            if seen == count { break }
        }
        // Unbuffered, in one write: the parent waits for "ready".
        FileHandle.standardOutput.write(Data((listing + "ready\n").utf8))
    }
}

// MARK: - Parent: the scraper

func startEndpoints(count: Int) throws -> (Process, [Int]) {
    let process = Process()
    process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = ["--serve", String(count)]
    let output = Pipe()
    let input = Pipe()
    process.standardOutput = output
    process.standardInput = input
    try process.run()
    var text = ""
    while !text.hasSuffix("ready\n") {
        let chunk = output.fileHandleForReading.availableData
        guard !chunk.isEmpty else { throw CocoaError(.fileReadUnknown) }
        text += String(decoding: chunk, as: UTF8.self)
    }
    let ports = text.split(separator: "\n").compactMap { Int($0) }
    return (process, ports)
}

let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "--serve", let count = Int(arguments[2]) {
    try await serve(count: count)
    exit(0)
}
if arguments.count == 2, arguments[1] == "--exposition" {
    print(vllmExposition(), terminator: "")
    exit(0)
}

let endpoints = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let concurrency = arguments.count > 2 ? Int(arguments[2]) ?? 64 : 64
let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5
raiseFileLimit()

let bodyBytes = vllmExposition().utf8.count
let (child, ports) = try startEndpoints(count: endpoints)
print("endpoints: \(ports.count) Hummingbird servers on 127.0.0.1 (separate process), \(bodyBytes) B vLLM exposition each")
print("scraper: concurrency \(concurrency), no jitter, timeout 30 s, preset auto (detected in round 1, then pinned)")

let configuration = ScraperConfiguration(concurrency: concurrency, timeout: .seconds(30), jitterFraction: 0)
let client = ScrapeHTTPClient(configuration: configuration)
let scraper = Scraper(httpClient: client, configuration: configuration)
let targets = ports.enumerated().map { ScrapeTarget(id: WorkerID("w\($0.offset)"), url: "http://127.0.0.1:\($0.element)/metrics") }
let wallClock = ContinuousClock()
let now: @Sendable () -> Timestamp = { Timestamp(seconds: Date().timeIntervalSince1970) }

var warm: [(wall: Double, cpu: Double)] = []
for round in 1...rounds {
    let cpuBefore = cpuSeconds()
    let start = wallClock.now
    let result = await scraper.scrapeOnce(targets, now: now)
    let wall = seconds(wallClock.now - start)
    let cpuAfter = cpuSeconds()
    let user = cpuAfter.user - cpuBefore.user
    let system = cpuAfter.system - cpuBefore.system
    let cpu = user + system
    let bytes = result.workers.values.reduce(0) { $0 + $1.bytes }
    let failures = result.failures
    let label = round == 1 ? "round 1 (cold: connect + detect)" : "round \(round) (warm)"
    print("\(label): wall \(String(format: "%.1f", wall * 1000)) ms, CPU \(String(format: "%.1f", cpu * 1000)) ms (user \(String(format: "%.0f", user * 1000)), sys \(String(format: "%.0f", system * 1000)); \(String(format: "%.0f", cpu / Double(targets.count) * 1e6)) µs/target), \(String(format: "%.1f", Double(bytes) / 1e6)) MB, \(result.telemetry.count) ok, \(failures.count) failed")
    if let first = failures.first { print("  e.g. \(first.value)") }
    if round > 1 { warm.append((wall, cpu)) }
}
if !warm.isEmpty {
    let walls = warm.map(\.wall).sorted()
    let cpus = warm.map(\.cpu).sorted()
    let medianWall = walls[walls.count / 2]
    let medianCPU = cpus[cpus.count / 2]
    print("scraper memory after the last round: \(residentMemory())")
    // Returning glibc's free pages to the system tells live memory from heap slack; Glibc's
    // module map leaves malloc.h out, so the symbol is looked up.
    if let symbol = dlsym(nil, "malloc_trim") {
        _ = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)(0)
    }
    print("scraper memory after malloc_trim: \(residentMemory())")
    print("warm median: wall \(String(format: "%.1f", medianWall * 1000)) ms, CPU \(String(format: "%.1f", medianCPU * 1000)) ms, \(String(format: "%.0f", Double(targets.count) / medianWall)) targets/s, \(String(format: "%.1f", Double(targets.count * bodyBytes) / medianWall / 1e6)) MB/s")
}
await client.shutdown()
print("scraper memory with the client shut down (its connections closed): \(residentMemory())")
child.terminate()
child.waitUntilExit()

/// This process's resident memory from /proc/self/status: what the scraper's connections and
/// telemetry hold, beside the code every process of this binary maps.
func residentMemory() -> String {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return "unknown" }
    func kilobytes(_ key: String) -> Double? {
        status.split(separator: "\n").first { $0.hasPrefix(key + ":") }
            .flatMap { Double($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }
    guard let total = kilobytes("VmRSS"), let anonymous = kilobytes("RssAnon"), let file = kilobytes("RssFile") else { return "unknown" }
    return String(format: "RSS %.1f MB (%.1f MB anonymous, %.1f MB file-backed)", total / 1024, anonymous / 1024, file / 1024)
}
