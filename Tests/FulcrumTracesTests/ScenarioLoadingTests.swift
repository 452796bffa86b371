@testable import FulcrumTraces
import Foundation
import Testing

@Suite("Scenario loading")
struct ScenarioLoadingTests {
    @Test("a YAML scenario with every option decodes to the expected value")
    func decodesYAML() throws {
        let yaml = """
            name: custom
            phases:
              - duration_s: 600
                arrival: { process: poisson, rate_rps: 2 }
                rate_end_rps: 8
                daily_cycle: { amplitude: 0.5, period_s: 3600 }
                input: { mean: 1000, cv: 0.6 }
                output: { mean: 250, cv: 0.8, max: 4096 }
              - duration_s: 300
                arrival: { process: gamma, rate_rps: 5, cv: 3 }
                input: { mean: 8000, cv: 0.4, max: 16384 }
                output: { mean: 100, cv: 0 }
              - duration_s: 120
                arrival:
                  process: onoff
                  on_rate_rps: 20
                  on_s: 10
                  off_s: 50
                input: { mean: 50, cv: 1 }
                output: { mean: 50, cv: 1 }
            """
        let scenario = try Scenario.load(yaml: yaml, sourceName: "custom.yaml")
        #expect(scenario == Scenario(name: "custom", phases: [
            .init(durationSeconds: 600, arrival: .poisson(rateRPS: 2), rateEndRPS: 8,
                  dailyCycle: DailyCycle(amplitude: 0.5, periodSeconds: 3600),
                  input: LengthDistribution(mean: 1000, cv: 0.6), output: LengthDistribution(mean: 250, cv: 0.8, max: 4096)),
            .init(durationSeconds: 300, arrival: .gamma(rateRPS: 5, cv: 3),
                  input: LengthDistribution(mean: 8000, cv: 0.4, max: 16384), output: LengthDistribution(mean: 100, cv: 0)),
            .init(durationSeconds: 120, arrival: .onOff(onRateRPS: 20, onSeconds: 10, offSeconds: 50),
                  input: LengthDistribution(mean: 50, cv: 1), output: LengthDistribution(mean: 50, cv: 1)),
        ]))
        #expect(scenario.durationSeconds == 1020)
    }

    @Test("built-ins and awkward values survive YAML and JSON round trips")
    func roundTrips() throws {
        let awkward = Scenario(name: #"odd "name" \ here"#, phases: [
            .init(durationSeconds: 0.1, arrival: .onOff(onRateRPS: 1e-3, onSeconds: 2.5, offSeconds: 0),
                  rateEndRPS: 1234.5678, dailyCycle: DailyCycle(amplitude: 1, periodSeconds: 1 / 3),
                  input: LengthDistribution(mean: 1.25, cv: 0), output: LengthDistribution(mean: 99999, cv: 12.5, max: 1)),
        ])
        for scenario in try Scenario.builtinNames.map(Scenario.builtin) + [awkward] {
            let name = scenario.name
            #expect(try Scenario.load(yaml: scenario.yamlText(), sourceName: name) == scenario)
            let json = try JSONEncoder().encode(scenario)
            #expect(try JSONDecoder().decode(Scenario.self, from: json) == scenario)
        }
    }

    @Test("built-ins match their documented shape")
    func builtinShapes() throws {
        let steady = try Scenario.builtin("steady")
        #expect(steady.durationSeconds == 600 && steady.phases[0].arrival == .poisson(rateRPS: 5))
        #expect(steady.phases[0].input.mean == 1000 && steady.phases[0].output.mean == 250)
        let mixStep = try Scenario.builtin("mix-step")
        #expect(mixStep.phases.map(\.durationSeconds) == [1200, 1200, 1200])
        #expect(mixStep.phases.map(\.input.mean) == [1000, 8000, 1000])
        #expect(mixStep.phases.map(\.output.mean) == [400, 100, 400])
        let mixShift = try Scenario.builtin("mix-shift")
        #expect(mixShift.durationSeconds == 3900)
        let inputs = mixShift.phases.map(\.input.mean)
        #expect(inputs.first == 1000 && inputs[7] == 8000 && inputs.last == 1000)
        // The drift moves monotonically, one seventh of the way per 100 s step.
        #expect(zip(inputs[0...7], inputs[1...7]).allSatisfy { $0 < $1 })
        #expect(abs(inputs[1] - 2000) < 1e-9)
        let ramp = try Scenario.builtin("ramp")
        #expect(ramp.phases[0].arrival.baseRateRPS == 1 && ramp.phases[0].rateEndRPS == 10 && ramp.durationSeconds == 1200)
        #expect(try Scenario.builtin("bursty").phases[0].arrival == .gamma(rateRPS: 5, cv: 3))
        #expect(try Scenario.builtin("diurnal").phases[0].dailyCycle?.periodSeconds == 3600)
    }

    @Test("mistakes produce one sentence naming the source and the path to the problem", arguments: [
        ("phases: []", "s.yaml: phases is empty; expected at least one phase."),
        ("""
         phases:
           - duration_s: 60
             arrival: { process: poisson, rate_rps: 1 }
             rate_end_rsp: 4
             input: { mean: 10, cv: 1 }
             output: { mean: 10, cv: 1 }
         """, #"s.yaml: phases[0].rate_end_rsp is not a known key; expected one of duration_s, arrival, rate_end_rps, daily_cycle, drift, tick_s, input, output."#),
        ("""
         phases:
           - duration_s: 60
             arrival: { process: poisson, rate: 1 }
             input: { mean: 10, cv: 1 }
             output: { mean: 10, cv: 1 }
         """, #"s.yaml: phases[0].arrival.rate is not a known key for a poisson process; expected one of process, rate_rps."#),
        ("""
         phases:
           - duration_s: 60
             arrival: { process: gamma, rate_rps: 1 }
             input: { mean: 10, cv: 1 }
             output: { mean: 10, cv: 1 }
         """, #"s.yaml: phases[0].arrival.cv is missing."#),
        ("""
         phases:
           - duration_s: 60
             arrival: { process: hawkes, rate_rps: 1 }
             input: { mean: 10, cv: 1 }
             output: { mean: 10, cv: 1 }
         """, #"s.yaml: phases[0].arrival.process is "hawkes"; expected one of poisson, gamma, onoff, bursts."#),
        ("""
         phases:
           - duration_s: 60
             arrival: { process: poisson, rate_rps: 1 }
             daily_cycle: { amplitude: 1.5, period_s: 60 }
             input: { mean: 10, cv: 1 }
             output: { mean: 10, cv: 1 }
         """, "s.yaml: phases[0].daily_cycle.amplitude must be from 0 to 1, found 1.5."),
        ("""
         phases:
           - duration_s: 60
             arrival: { process: bursts, rate_rps: 1, on_fraction: 0.2, mean_on_s: 10, off_tail: 1, batch_mean: 2 }
             input: { mean: 10, cv: 1 }
             output: { mean: 10, cv: 1 }
         """, "s.yaml: phases[0].arrival.off_tail must be greater than 1 and at most 100, found 1."),
        ("""
         phases:
           - duration_s: 60
             arrival: { process: poisson, rate_rps: 1 }
             drift: { ratio: 0.5, step_s: 60 }
             tick_s: 0
             input: { mean: 10, cv: 1 }
             output: { mean: 10, cv: 1 }
         """, "s.yaml: phases[0].drift.ratio must be from 1 to 1000000, found 0.5."),
        ("phases: [ {", "is not valid YAML: did not find expected node content (while parsing a flow node that starts on line "),
    ])
    func errors(yaml: String, fragment: String) {
        let error = #expect(throws: ScenarioError.self) {
            try Scenario.load(yaml: yaml, sourceName: "s.yaml")
        }
        #expect(error?.description.contains(fragment) == true, "\(error?.description ?? "no error")")
        #expect(error?.description.hasPrefix("s.yaml: ") == true)
    }

    @Test("bursts arrivals, rate drift and arrival ticks decode from their documented keys")
    func decodesProductionShapes() throws {
        let yaml = """
            phases:
              - duration_s: 3600
                arrival: { process: bursts, rate_rps: 2.5, on_fraction: 0.15, mean_on_s: 20, off_tail: 3, batch_mean: 3 }
                drift: { ratio: 10, step_s: 60 }
                tick_s: 3
                input: { mean: 2000, cv: 1, max: 8192 }
                output: { mean: 30, cv: 1.5 }
            """
        let phase = try #require(try Scenario.load(yaml: yaml, sourceName: "p.yaml").phases.first)
        #expect(phase.arrival == .bursts(rateRPS: 2.5, onFraction: 0.15, meanOnSeconds: 20, offTail: 3, batchMean: 3))
        #expect(phase.drift == RateDrift(ratio: 10, stepSeconds: 60))
        #expect(phase.tickSeconds == 3)
    }

    @Test("an unknown built-in name lists the available ones")
    func unknownBuiltin() {
        let error = #expect(throws: ScenarioError.self) {
            try Scenario.builtin("stedy")
        }
        #expect(error?.description == #"unknown built-in scenario "stedy"; expected one of steady, mix-shift, mix-step, ramp, bursty, diurnal, code, chat, long-context, conversation."#)
    }
}
