@testable import FulcrumCore
import Testing

@Suite("Pooled prefill queue model")
struct PrefillQueueModelTests {
    private func input(load: Double, service: Double = 0.1, target: Double = 2, percentile: Double = 0.99, ca2: Double = 1,
                       cs2: Double = 1) -> PrefillQueueModel.Input {
        PrefillQueueModel.Input(offeredLoad: load, serviceSeconds: service, ttftTargetSeconds: target, percentile: percentile,
                                arrivalSCV: ca2, serviceSCV: cs2)
    }

    @Test("Erlang C matches textbook values")
    func erlangC() {
        // One server: the chance of waiting is the utilisation.
        #expect(abs(PrefillQueueModel.erlangC(servers: 1, load: 0.7) - 0.7) < 1e-12)
        // Two servers at load 1: C = 1/3.
        #expect(abs(PrefillQueueModel.erlangC(servers: 2, load: 1) - 1.0 / 3) < 1e-12)
        // Overload always waits; no load never does.
        #expect(PrefillQueueModel.erlangC(servers: 4, load: 4) == 1)
        #expect(PrefillQueueModel.erlangC(servers: 4, load: 0) == 0)
        // The recursion stays finite for thousands of servers.
        let large = PrefillQueueModel.erlangC(servers: 5_000, load: 4_900)
        #expect(large > 0 && large < 1)
    }

    @Test("The need covers the load and meets the tail it was asked for")
    func needMeetsTail() throws {
        for load in [0.3, 1.0, 4.2, 37.5, 400.0] {
            let model = input(load: load, service: 0.2)
            let needed = try #require(PrefillQueueModel.instancesNeeded(model))
            #expect(needed > load)
            let whole = Int(needed.rounded(.up))
            let services = PromptQuantiles.feasibleServiceTimes(mean: 0.2, scv: model.serviceSCV, target: 2)
            let tail = PrefillQueueModel.logMissShare(servers: whole, load: load, services: services, input: model)
            #expect(tail <= Double.log(0.01) + 1e-9)
            let fewer = PrefillQueueModel.logMissShare(servers: whole - 1, load: load, services: services, input: model)
            #expect(whole - 1 <= Int(load) || fewer > Double.log(0.01))
        }
    }

    @Test("A pooled tier runs fuller than one instance, and fuller the larger it is")
    func poolingGains() throws {
        let small = try #require(PrefillQueueModel.instancesNeeded(input(load: 1, service: 0.5)))
        let large = try #require(PrefillQueueModel.instancesNeeded(input(load: 40, service: 0.5)))
        #expect(40 / large > 1 / small)
        #expect(40 / large > 0.9)
    }

    @Test("Clumped arrivals and tighter percentiles ask for more; no load asks for none")
    func monotone() throws {
        let poisson = try #require(PrefillQueueModel.instancesNeeded(input(load: 5, service: 0.3)))
        let clumped = try #require(PrefillQueueModel.instancesNeeded(input(load: 5, service: 0.3, ca2: 16)))
        let strict = try #require(PrefillQueueModel.instancesNeeded(input(load: 5, service: 0.3, percentile: 0.999)))
        #expect(clumped > poisson)
        #expect(strict > poisson)
        #expect(PrefillQueueModel.instancesNeeded(input(load: 0)) == 0)
    }

    @Test("Long prompts have less slack: a varied mix needs more instances than equal prompts of the same mean")
    func variedPromptsNeedMore() throws {
        let even = try #require(PrefillQueueModel.instancesNeeded(input(load: 6, service: 0.5, cs2: 0)))
        let varied = try #require(PrefillQueueModel.instancesNeeded(input(load: 6, service: 0.5, cs2: 2)))
        #expect(varied > even + 1)
    }

    @Test("Prompt quantiles keep the mean and drop the prompts no instance serves in time")
    func promptQuantiles() {
        let all = PromptQuantiles.feasibleServiceTimes(mean: 0.5, scv: 2, target: 1_000)
        #expect(all.count == PromptQuantiles.count)
        #expect(abs(all.reduce(0, +) / Double(all.count) - 0.5) < 0.05)
        #expect(zip(all, all.dropFirst()).allSatisfy { $0 < $1 })
        let feasible = PromptQuantiles.feasibleServiceTimes(mean: 0.5, scv: 2, target: 2)
        #expect(feasible.count < all.count && feasible.allSatisfy { $0 < 2 })
        #expect(PromptQuantiles.feasibleServiceTimes(mean: 0.5, scv: 0, target: 2) == [0.5])
    }

    @Test("A mean prompt slower than the target cannot be fixed by instances")
    func infeasible() {
        #expect(PrefillQueueModel.instancesNeeded(input(load: 3, service: 2.5, target: 2)) == nil)
    }

    @Test("The need moves smoothly with the load (no jumps between whole counts)")
    func smooth() throws {
        var previous = 0.0
        for step in 1...200 {
            let needed = try #require(PrefillQueueModel.instancesNeeded(input(load: Double(step) * 0.05, service: 0.2)))
            #expect(needed >= previous)
            #expect(needed - previous < 1)
            previous = needed
        }
    }

    @Test("The headroom knob scales the spare instances, and 0 plans for the mean load")
    func headroomKnob() {
        var configuration = ControllerConfiguration.standard()
        configuration.estimation.prefillUtilisationRange = 0.01...1
        func utilisation(_ headroom: Double) -> Double {
            configuration.headroom = headroom
            return Estimator.prefillUtilisation(demand: 50_000, capacity: 10_000, isl: 1_000, burstiness: 1, configuration: configuration)
        }
        #expect(utilisation(0) == 1)
        #expect(utilisation(0.5) > utilisation(1))
        #expect(utilisation(1) > utilisation(2))
    }
}
