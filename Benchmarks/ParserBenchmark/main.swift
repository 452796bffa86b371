// Parser throughput: `ParserBenchmark [file]`. Without a file, generates a vLLM exposition of
// about 300 KB (data-parallel engines, Python client text format with `_created` families;
// `--print-generated` writes it out). Prints MB/s and samples/s for a full parse, for a parse
// with the vLLM preset's interest set, and for parse + preset mapping.

import Foundation
import FulcrumCore
import FulcrumTelemetry

func generatedVLLM(engines: Int) -> String {
    var out = ""
    func family(_ name: String, _ type: String, _ help: String, _ body: (Int) -> String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for engine in 0..<engines { out += body(engine) }
    }
    func labels(_ engine: Int, _ extra: String = "") -> String {
        "engine=\"\(engine)\"\(extra),model_name=\"meta-llama/Llama-3.1-70B-Instruct\""
    }
    for gauge in ["vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc"] {
        family(gauge, "gauge", "A gauge.") { "\(gauge){\(labels($0))} \(Double($0) + 0.5)\n" }
    }
    for counter in ["vllm:prompt_tokens", "vllm:generation_tokens", "vllm:num_preemptions", "vllm:prefix_cache_queries", "vllm:prefix_cache_hits"] {
        family(counter + "_total", "counter", "A counter.") { "\(counter)_total{\(labels($0))} \(1000.0 * Double($0 + 1))\n" }
        family(counter + "_created", "gauge", "A counter.") { "\(counter)_created{\(labels($0))} 1.7682643398899963e+09\n" }
    }
    family("vllm:request_success_total", "counter", "Count of successfully processed requests.") { engine in
        ["stop", "length", "abort", "error"].map { "vllm:request_success_total{\(labels(engine, ",finished_reason=\"\($0)\""))} 12.0\n" }.joined()
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
        family(name, "histogram", "A histogram.") { engine in
            var body = ""
            for (k, bound) in bounds.enumerated() {
                body += "\(name)_bucket{\(labels(engine, ",le=\"\(bound)\""))} \(Double(k * 10 + engine))\n"
            }
            body += "\(name)_bucket{\(labels(engine, ",le=\"+Inf\""))} \(Double(bounds.count * 10 + engine))\n"
            body += "\(name)_count{\(labels(engine))} \(Double(bounds.count * 10 + engine))\n"
            body += "\(name)_sum{\(labels(engine))} 1234.5678\n"
            return body
        }
        family(name + "_created", "gauge", "A histogram.") { "\(name)_created{\(labels($0))} 1.7682643398902264e+09\n" }
    }
    return out
}

func generatedInput() -> [UInt8] {
    // Engines added until the text reaches 300 KB.
    var engines = 8
    var text = generatedVLLM(engines: engines)
    while text.utf8.count < 300_000 {
        engines += 1
        text = generatedVLLM(engines: engines)
    }
    return Array(text.utf8)
}

func readInput(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        print("ParserBenchmark: cannot read \(path); pass a readable exposition file.")
        exit(1)
    }
    return [UInt8](data)
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--print-generated"] {
    // The generated input, for `scripts/bench-parser-vs-go` to hand to Go's parser.
    FileHandle.standardOutput.write(Data(generatedInput()))
    exit(0)
}
// `--parses N FILE` (N full parses) and `--mappings N FILE` (N parses with the vLLM preset's
// mapping, what the scraper does) and nothing else, for profilers and `time`: CPU time per
// parse moves less with the machine's load than wall time does.
if arguments.count == 3, ["--parses", "--mappings"].contains(arguments[0]), let count = Int(arguments[1]) {
    let bytes = readInput(arguments[2])
    let mapping = arguments[0] == "--mappings"
    try bytes.withUnsafeBytes { raw in
        for _ in 0..<count {
            if mapping {
                _ = try TelemetryMapper.worker(raw, preset: .vllm, scrapedAt: Timestamp(seconds: 0))
            } else {
                _ = try ExpositionParser.parse(raw)
            }
        }
    }
    exit(0)
}
let bytes = arguments.isEmpty ? generatedInput() : readInput(arguments[0])

let full = try ExpositionParser.parse(bytes)
let sampleCount = full.allFamilies.reduce(0) { $0 + $1.sampleCount }
print("input: \(bytes.count) bytes, \(full.allFamilies.count) families, \(sampleCount) samples, \(full.format)")

/// CPU seconds (user + system, all threads) this process has used.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func measure(_ label: String, _ body: () throws -> Void) rethrows {
    for _ in 0..<3 { try body() } // warm up
    let clock = ContinuousClock()
    var iterations = 0
    let start = clock.now
    let cpuStart = cpuSeconds()
    var elapsed = Duration.zero
    while elapsed < .seconds(2) {
        try body()
        iterations += 1
        elapsed = clock.now - start
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let perParse = seconds / Double(iterations)
    let cpuPerParse = (cpuSeconds() - cpuStart) / Double(iterations)
    let mbPerSecond = Double(bytes.count) / perParse / 1e6
    let samplesPerSecond = Double(sampleCount) / perParse
    print("\(label): \(String(format: "%.3f", perParse * 1000)) ms/parse, \(String(format: "%.1f", mbPerSecond)) MB/s, \(String(format: "%.2f", samplesPerSecond / 1e6)) M samples/s, cpu \(String(format: "%.3f", cpuPerParse * 1000)) ms/parse")
}

let interest = EnginePreset.vllm.metricNames
try bytes.withUnsafeBytes { raw in
    try measure("full parse (all families materialised)") { _ = try ExpositionParser.parse(raw) }
    try measure("vLLM interest set only              ") { _ = try ExpositionParser.parse(raw, families: .only(interest)) }
    try measure("parse + vLLM preset mapping          ") {
        _ = try TelemetryMapper.worker(raw, preset: .vllm, scrapedAt: Timestamp(seconds: 0))
    }
}
try bytes.withUnsafeBytes { raw in
    try measure("validate only (empty interest set)   ") { _ = try ExpositionParser.parse(raw, families: .only([])) }
}
