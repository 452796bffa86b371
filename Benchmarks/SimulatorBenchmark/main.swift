// Simulator speed: simulated seconds per wall-clock second for a generated one-hour trace at
// about 5 requests/s on a 32-GPU cluster (4 nodes × 8), for each policy. Run in release:
//   swift run -c release SimulatorBenchmark [repetitions]
// Then a sweep (many runs of the same trace, as `frontier` makes): runs per minute on one core
// and on every core.
import Dispatch
import Foundation
import FulcrumCore
import FulcrumSim
import FulcrumTraces

let repetitions = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 5
let scenario = Scenario(name: "one-hour-chat", phases: [
    Scenario.Phase(durationSeconds: 3600, arrival: .poisson(rateRPS: 5),
                   input: LengthDistribution(mean: 1000, cv: 0.6), output: LengthDistribution(mean: 250, cv: 0.8, max: 4096)),
])
let trace = try TraceGenerator.generate(scenario: scenario, seed: 42)
let input = SimulationInput(
    trace: trace,
    cluster: .uniform(nodes: 4, gpusPerNode: 8),
    profile: Profile.llama3_8B_H100,
    slo: ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.05, percentile: 0.99),
    initialInstances: PerRole(prefill: 2, decode: 4)
)

print("trace: \(trace.count) requests over \(Int(trace.last?.arrival ?? 0)) s; cluster 32 GPUs; \(repetitions) repetitions, best and median shown")
print("policy            wall best   wall median   simulated s   sim-s per wall-s (best)")
for name in ["static:2:6", "fulcrum", "dynamo-sla", "hindsight-mean"] {
    var walls: [Double] = []
    var simulated = 0.0
    for _ in 0..<repetitions {
        let policy = try PolicyCatalog.policy(named: name)
        let start = DispatchTime.now().uptimeNanoseconds
        let outcome = try Simulator.run(input, policy: policy)
        walls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        simulated = outcome.result.simulatedSeconds
    }
    walls.sort()
    let best = walls[0]
    let median = walls[walls.count / 2]
    func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
    print(pad(name, 18) + pad(String(format3(best)) + " s", 12) + pad(format3(median) + " s", 14)
          + pad(String(Int(simulated)), 14) + String(Int(simulated / best)) + "×")
}

func format3(_ value: Double) -> String {
    let scaled = (value * 1000).rounded() / 1000
    return String(scaled)
}

// A sweep: 16 Fulcrum runs of the hour (headroom 0.6 … 1.5, as `frontier --headroom-sweep`),
// on one core and then on every core, through the runner the frontier uses.
let headrooms = (0..<16).map { 0.6 + Double($0) * 0.06 }
let cores = ProcessInfo.processInfo.activeProcessorCount
print("sweep: \(headrooms.count) fulcrum runs of the hour, headroom 0.6 … 1.5")
for width in Array(Set([1, cores])).sorted() {
    let start = DispatchTime.now().uptimeNanoseconds
    _ = try ParallelRunner.map(headrooms, width: width) { headroom in
        try Simulator.run(input, policy: FulcrumPolicy(name: "fulcrum@\(headroom)") { $0.headroom = headroom }).result.gpuHours
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print("  \(width) core(s): \(format3(seconds)) s, \(Int((Double(headrooms.count) / seconds * 60).rounded())) runs per minute")
}
