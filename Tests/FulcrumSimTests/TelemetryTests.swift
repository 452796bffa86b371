import FulcrumCore
import FulcrumTraces
import Testing
@testable import FulcrumSim

@Suite struct TelemetryTests {
    /// Scales up and down under varied traffic and checks every snapshot as a scraper would.
    @Test func countersAreMonotoneAndConsistentWithCompletedRequests() throws {
        let trace = Traces.pseudoRandom(seed: 5, rate: 5, duration: 900)
        let policy = ScriptedPolicy(tickInterval: 15, [
            (at: 30, steps: [
                .action(.start(role: .prefill, node: "node-2", gpus: [0])),
                .action(.start(role: .decode, node: "node-2", gpus: [1])),
            ]),
            (at: 400, steps: [.drainFirstReady(.decode), .drainFirstReady(.prefill)]),
        ])
        let input = makeInput(trace: trace, initial: PerRole(prefill: 1, decode: 2), recordSnapshots: true)
        let outcome = try Simulator.run(input, policy: policy)
        #expect(outcome.result.completed == trace.count)
        #expect(outcome.snapshots.count > 50)

        var previous: [WorkerID: WorkerTelemetry] = [:]
        var previousFrontend: FrontendTelemetry?
        for snapshot in outcome.snapshots {
            let time = snapshot.time.seconds
            for worker in snapshot.workers {
                guard let telemetry = worker.telemetry else {
                    #expect(worker.lifecycle == .starting)
                    continue
                }
                #expect(telemetry.scrapedAt == snapshot.time)
                if let before = previous[worker.id] {
                    #expect(telemetry.promptTokens >= before.promptTokens)
                    #expect(telemetry.generationTokens >= before.generationTokens)
                    #expect(telemetry.requestsFinished >= before.requestsFinished)
                    for (now, then) in [(telemetry.timeToFirstToken, before.timeToFirstToken),
                                        (telemetry.interTokenLatency, before.interTokenLatency)] {
                        guard let now, let then else { continue }
                        #expect(now.sum >= then.sum)
                        for (bucket, old) in zip(now.buckets, then.buckets) {
                            #expect(bucket.cumulativeCount >= old.cumulativeCount)
                        }
                    }
                }
                previous[worker.id] = telemetry
                #expect(telemetry.requestsWaiting >= 0 && telemetry.requestsRunning >= 0)
                switch worker.role {
                case .prefill:
                    let ttft = try #require(telemetry.timeToFirstToken)
                    #expect(ttft.count == telemetry.requestsFinished)
                    #expect(ttft.buckets.map(\.upperBound) == VLLMHistogramBounds.timeToFirstToken + [.infinity])
                    #expect(zip(ttft.buckets, ttft.buckets.dropFirst()).allSatisfy { $0.cumulativeCount <= $1.cumulativeCount })
                case .decode:
                    let itl = try #require(telemetry.interTokenLatency)
                    // One observation per generated token.
                    #expect(itl.count == telemetry.generationTokens)
                    #expect(itl.buckets.map(\.upperBound) == VLLMHistogramBounds.interTokenLatency + [.infinity])
                }
            }

            let frontend = try #require(snapshot.frontend)
            // A completion exactly at the tick's instant may fall on either side of the scrape.
            let doneBefore = outcome.requests.count { ($0.completedAt ?? .infinity) < time }
            let doneBy = outcome.requests.count { ($0.completedAt ?? .infinity) <= time }
            #expect(frontend.requestsCompleted >= Double(doneBefore) && frontend.requestsCompleted <= Double(doneBy))
            #expect(frontend.requestsArrived >= Double(trace.count { $0.arrival < time }))
            #expect(frontend.requestsArrived <= Double(trace.count { $0.arrival <= time }))
            let decodeFinished = snapshot.workers.filter { $0.role == .decode }.reduce(0.0) {
                $0 + ($1.telemetry?.requestsFinished ?? 0)
            }
            #expect(decodeFinished <= frontend.requestsCompleted)
            if let previousFrontend {
                #expect(frontend.requestsArrived >= previousFrontend.requestsArrived)
                #expect(frontend.inputTokens >= previousFrontend.inputTokens)
                #expect(frontend.outputTokens >= previousFrontend.outputTokens)
                #expect(frontend.requestsCompleted >= previousFrontend.requestsCompleted)
            }
            previousFrontend = frontend
        }
        // Ids are never reused, and stopped workers vanish from the scrape.
        let ids = outcome.workers.map(\.id)
        #expect(Set(ids).count == ids.count)
        let stopped = Set(outcome.workers.filter { $0.stoppedAt != nil }.map(\.id))
        #expect(stopped.count == 2)
        #expect(outcome.finalSnapshot.workers.allSatisfy { !stopped.contains($0.id) })
    }

    @Test func histogramAccumulatorUsesLessOrEqualBuckets() {
        var histogram = HistogramAccumulator(bounds: [0.1, 1, 10])
        histogram.observe(0.1)
        histogram.observe(0.5, count: 3)
        histogram.observe(100)
        let cumulative = histogram.cumulative
        #expect(cumulative.buckets.map(\.cumulativeCount) == [1, 4, 4, 5])
        #expect(cumulative.buckets.last?.upperBound == .infinity)
        #expect(abs(cumulative.sum - 101.6) < 1e-12)
    }
}
