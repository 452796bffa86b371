import Foundation
import FulcrumCore
import FulcrumTraces
@testable import FulcrumSim

/// A policy that never acts: the initial allocation is all there is.
struct HoldPolicy: ScalingPolicy {
    var tickInterval: Double = 10
    var name: String { "hold" }

    mutating func tick(snapshot: ClusterSnapshot, environment: PolicyEnvironment) -> PolicyOutput {
        PolicyOutput(actions: [], desired: PerRole(repeating: 0))
    }
}

/// A policy that issues given actions at the first tick at or after given times.
struct ScriptedPolicy: ScalingPolicy {
    enum Step: Sendable {
        case action(ScalingAction)
        /// Drain the first (lowest-numbered) ready worker of a role.
        case drainFirstReady(Role)
        /// Cancel the drain of every draining worker of a role.
        case cancelDrains(Role)
    }

    var script: [(at: Double, steps: [Step])]
    var tickInterval: Double = 10
    var next = 0
    var name: String { "scripted" }

    init(tickInterval: Double = 10, _ script: [(at: Double, steps: [Step])]) {
        self.script = script.sorted { $0.at < $1.at }
        self.tickInterval = tickInterval
    }

    mutating func tick(snapshot: ClusterSnapshot, environment: PolicyEnvironment) -> PolicyOutput {
        var actions: [ScalingAction] = []
        while next < script.count, script[next].at <= snapshot.time.seconds {
            for step in script[next].steps {
                switch step {
                case let .action(action):
                    actions.append(action)
                case let .drainFirstReady(role):
                    if let worker = snapshot.workers.first(where: { $0.role == role && $0.lifecycle == .ready }) {
                        actions.append(.drain(worker: worker.id))
                    }
                case let .cancelDrains(role):
                    for worker in snapshot.workers where worker.role == role && worker.lifecycle == .draining {
                        actions.append(.cancelDrain(worker: worker.id))
                    }
                }
            }
            next += 1
        }
        return PolicyOutput(actions: actions, desired: PerRole(repeating: 0))
    }
}

enum Traces {
    /// `count` identical requests, one every `1/rate` seconds from t = 0.
    static func evenlySpaced(rate: Double, count: Int, input: Int, output: Int) -> [TraceRequest] {
        (0..<count).map { TraceRequest(arrival: Double($0) / rate, inputTokens: input, outputTokens: output) }
    }

    /// A Poisson-like trace with varied lengths from a fixed-seed LCG (no dependency on the
    /// trace generator of another module, so these tests pin only the simulator).
    static func pseudoRandom(seed: UInt64, rate: Double, duration: Double) -> [TraceRequest] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        var time = 0.0
        var trace: [TraceRequest] = []
        while true {
            time += -log(uniform()) / rate
            guard time < duration else { break }
            let input = 64 + Int(uniform() * 4000)
            let output = 1 + Int(uniform() * uniform() * 600)
            trace.append(TraceRequest(arrival: time, inputTokens: input, outputTokens: output))
        }
        return trace
    }
}

let relaxedSLO = ServiceLevelObjective(ttftSeconds: 2, tpotSeconds: 0.1, percentile: 0.9)

func makeInput(
    trace: [TraceRequest],
    profile: Profile = .llama3_8B_H100,
    initial: PerRole<Int>,
    cluster: ClusterSpec = .default,
    budget: Int? = nil,
    seed: UInt64 = 7,
    recordSnapshots: Bool = false
) -> SimulationInput {
    SimulationInput(
        trace: trace,
        cluster: cluster,
        profile: profile,
        slo: relaxedSLO,
        gpuBudget: budget,
        initialInstances: initial,
        seed: seed,
        recordSnapshots: recordSnapshots
    )
}

func relativeError(_ measured: Double, _ expected: Double) -> Double {
    abs(measured - expected) / abs(expected)
}
