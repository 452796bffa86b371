import Foundation
import FulcrumConfiguration
import FulcrumCore
import Testing

@Suite("Decision configuration files")
struct ControllerConfigurationFileTests {
    @Test("A file with only the controller's keys is enough for decide")
    func controllerKeysOnly() throws {
        let file = try ControllerConfigurationFile.parse(yaml: """
            slo: {ttft: 1500ms, tpot: 40ms, percentile: 0.9}
            budget: {max_gpus: 16, min_prefill: 2}
            workers:
              prefill: {gpus_per_instance: 2}
              decode: {gpus_per_instance: 1}
            estimation: {startup_prior: 4m, headroom: 0.8, correction_step: 0.5, rising_demand_threshold: 0.3,
                         demand_precision: 0.08, max_demand_time_constant: 3m, trend_lookahead_per_rise: 2}
            intervals: {tick: 15s}
            priors:
              prefill: {tokens_per_s: 12000, attention_per_token_squared: 1.5e-9}
            """, source: "decide.yaml")
        #expect(file.controller.slo == ServiceLevelObjective(ttftSeconds: 1.5, tpotSeconds: 0.04, percentile: 0.9))
        #expect(file.controller.placement.maxTotalGPUs == 16)
        #expect(file.controller.placement.gpusPerInstance == PerRole(prefill: 2, decode: 1))
        #expect(file.controller.minInstances.prefill == 2)
        #expect(file.controller.estimation.startupPriorSeconds == 240)
        #expect(file.controller.headroom == 0.8)
        #expect(file.controller.estimation.correctionStep == 0.5)
        #expect(file.controller.estimation.risingDemandThreshold == 0.3)
        #expect(file.controller.estimation.demandPrecision == 0.08)
        #expect(file.controller.estimation.maxDemandTimeConstant == 180)
        #expect(file.controller.estimation.trendLookaheadPerRise == 2)
        #expect(file.controller.priors.prefill?.tokensPerSecond == 12_000)
        #expect(file.controller.priors.prefill?.attentionSecondsPerTokenSquared == 1.5e-9)
        #expect(file.tick == .seconds(15))
    }

    @Test("A headroom out of range is refused with its key")
    func headroomOutOfRange() {
        #expect {
            _ = try ControllerConfigurationFile.parse(yaml: "slo: {ttft: 2s, tpot: 50ms}\nestimation: {headroom: -1}\n", source: "decide.yaml")
        } throws: { error in
            "\(error)".contains("estimation.headroom")
        }
    }

    @Test("Without a budget, the snapshot's GPUs are the budget")
    func openBudget() throws {
        let file = try ControllerConfigurationFile.parse(yaml: "slo: {ttft: 2s, tpot: 50ms}\n", source: "decide.yaml")
        #expect(file.controller.placement.maxTotalGPUs == 100_000)
    }

    @Test("The daemon's own example file reads the same for decide")
    func daemonExampleFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("examples/config/vllm.yaml").path
        let daemon = try DaemonConfiguration.load(path: path)
        let decide = try ControllerConfigurationFile.load(path: path)
        #expect(decide.controller == daemon.controller)
        #expect(decide.tick == daemon.intervals.tick)
    }

    @Test("Problems are still all reported, with lines")
    func problemsReported() throws {
        do {
            _ = try ControllerConfigurationFile.parse(yaml: """
                slo: {ttft: fast, tpot: 50ms}
                budget: {max_gpu: 4}
                """, source: "decide.yaml")
            Issue.record("a bad file was accepted")
        } catch let error as ConfigurationError {
            #expect(error.problems.count == 2)
            #expect(error.problems.map(\.key).contains("slo.ttft"))
            #expect(error.problems.allSatisfy { $0.line != nil })
            #expect(error.description.contains("max_gpus"))
        }
    }
}
