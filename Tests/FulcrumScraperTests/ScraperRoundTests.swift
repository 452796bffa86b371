import FulcrumTestSupport
import FulcrumCore
@testable import FulcrumTelemetry
import Hummingbird
import NIOCore
import Synchronization
import Testing

@Suite struct ScraperRoundTests {
    @Test func failedTargetIsStaleNeverZero() async throws {
        // What the server does on each request: serve values, or fail.
        let mode = Mutex<(fail: Bool, waiting: Int)>((false, 7))
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in
                let (fail, waiting) = mode.withLock { ($0.fail, $0.waiting) }
                return fail ? Response(status: .serviceUnavailable) : Response.exposition(ScrapeFixtures.vllm(waiting: waiting))
            }
        }) { port in
            try await withClient(roomyConfiguration) { client in
                let scraper = Scraper(httpClient: client, configuration: roomyConfiguration)
                let target = ScrapeTarget(id: "w", url: "http://127.0.0.1:\(port)/metrics")
                let ticks = TickingClock()

                let first = await scraper.scrapeOnce([target], now: ticks.now)
                let good = try #require(first.telemetry["w"])
                #expect(good.requestsWaiting == 7)

                mode.withLock { $0.fail = true }
                let second = await scraper.scrapeOnce([target], now: ticks.now)
                #expect(second.workers["w"]?.error?.reason == .httpStatus(503))
                #expect(second.telemetry["w"] == good, "the last good values, with their original scrapedAt")
                #expect(second.stale == ["w"])
                let third = await scraper.scrapeOnce([target], now: ticks.now)
                let health = try #require(await scraper.health()["w"])
                #expect(third.telemetry["w"]?.scrapedAt == good.scrapedAt)
                #expect(health.consecutiveFailures == 2)
                #expect(health.isStale)
                #expect(health.lastSuccess == good.scrapedAt)
                #expect(health.lastError?.description.contains("http://127.0.0.1:\(port)/metrics") == true)

                mode.withLock { $0 = (false, 9) }
                let fourth = await scraper.scrapeOnce([target], now: ticks.now)
                let fresh = try #require(fourth.telemetry["w"])
                #expect(fresh.requestsWaiting == 9)
                #expect(fresh.scrapedAt > good.scrapedAt)
                #expect(fourth.stale.isEmpty)
                #expect(await scraper.health()["w"]?.consecutiveFailures == 0)
                #expect(await scraper.health()["w"]?.lastError == nil)
            }
        }
    }

    @Test func concurrencyLimitIsHonoured() async throws {
        let (round, gauge) = try await scrapeSlowTargetsOnOneHost(concurrency: 3)
        #expect(round.failures.isEmpty)
        #expect(round.telemetry.count == 24)
        #expect(gauge.total == 24)
        #expect(gauge.maximum <= 3)
        #expect(gauge.maximum >= 2, "requests should overlap up to the limit")
    }

    @Test func targetsSharingAHostShareItsConnections() async throws {
        let (round, gauge) = try await scrapeSlowTargetsOnOneHost(concurrency: 20)
        #expect(round.failures.isEmpty, "the requests beyond the host's connections wait, they do not fail")
        #expect(round.telemetry.count == 24)
        #expect(gauge.maximum <= ScraperConfiguration.connectionsPerHost)
        #expect(gauge.maximum >= 4, "requests should overlap up to the host's connections")
    }

    /// One round over 24 targets that share one host:port, each answering after 300 ms (long
    /// enough that, without a limit, every request would overlap), and how many were in flight.
    private func scrapeSlowTargetsOnOneHost(concurrency: Int) async throws -> (ScrapeRound, InFlightGauge) {
        let gauge = InFlightGauge()
        var round: ScrapeRound?
        try await withLoopbackServer({ router in
            router.get("metrics/{n}") { _, _ in
                gauge.enter()
                defer { gauge.leave() }
                try await Task.sleep(for: .milliseconds(300))
                return Response.exposition(ScrapeFixtures.vllm())
            }
        }) { port in
            var configuration = roomyConfiguration
            configuration.concurrency = concurrency
            try await withClient(configuration) { client in
                let scraper = Scraper(httpClient: client, configuration: configuration)
                let targets = (0..<24).map { ScrapeTarget(id: WorkerID("w\($0)"), url: "http://127.0.0.1:\(port)/metrics/\($0)") }
                round = await scraper.scrapeOnce(targets, now: TickingClock().now)
            }
        }
        return (try #require(round), gauge)
    }

    @Test("targets due within 10 ms share one wake-up at the group's last offset, never before their own")
    func launchesAreGroupedWithoutStartingEarly() {
        let offsets: [Duration] = [.zero, .milliseconds(1), .milliseconds(5), .milliseconds(12), .milliseconds(30), .milliseconds(35), .milliseconds(41)]
        let wakes = Scraper.launchTimes(offsets)
        #expect(wakes[.zero] == nil)
        #expect(wakes[.milliseconds(1)] == .milliseconds(5))
        #expect(wakes[.milliseconds(5)] == .milliseconds(5))
        #expect(wakes[.milliseconds(12)] == .milliseconds(12))
        #expect(wakes[.milliseconds(30)] == .milliseconds(35))
        #expect(wakes[.milliseconds(41)] == .milliseconds(41))
        #expect(offsets.dropFirst().allSatisfy { wakes[$0]! >= $0 && wakes[$0]! - $0 < Scraper.launchGranularity })
    }

    @Test func jitterSpreadsStartsAndNeverStartsEarly() async throws {
        let log = RequestLog()
        try await withLoopbackServer({ router in
            router.get("metrics/{n}") { request, _ in
                log.record(request)
                return Response.exposition(ScrapeFixtures.vllm())
            }
        }) { port in
            // A 1.5 s window: 3 s interval, half of it.
            let configuration = ScraperConfiguration(timeout: .seconds(30), interval: .seconds(3), jitterFraction: 0.5, jitterSeed: 42)
            try await withClient(configuration) { client in
                let scraper = Scraper(httpClient: client, configuration: configuration)
                let targets = (0..<16).map { ScrapeTarget(id: WorkerID("w\($0)"), url: "http://127.0.0.1:\(port)/metrics/\($0)") }
                let before = ContinuousClock.now
                let round = await scraper.scrapeOnce(targets, now: TickingClock().now)
                #expect(round.failures.isEmpty)

                let offsets = targets.map { round.workers[$0.id]?.startOffset ?? .zero }
                let window = Duration.milliseconds(1500)
                #expect(offsets.allSatisfy { $0 >= .zero && $0 < window })
                #expect(offsets.max()! - offsets.min()! > window / 2, "16 hashed offsets cover most of the window")
                #expect(Set(offsets).count == offsets.count)

                // Load can only delay a request, so each arrives no earlier than its offset.
                for (target, offset) in zip(targets, offsets) {
                    let arrival = try #require(log.all.first { target.url.hasSuffix($0.path) }?.at)
                    #expect(arrival - before >= offset)
                }

                // Offsets are a function of seed and URL: the same every round, different per seed.
                let jitter = ScrapeJitter(configuration: configuration)
                #expect(targets.map { jitter.offset(for: $0.url) } == offsets)
                let reseeded = ScrapeJitter(window: window, seed: 7)
                #expect(targets.map { reseeded.offset(for: $0.url) } != offsets)
                #expect(ScrapeJitter(window: .zero, seed: 42).offset(for: targets[0].url) == .zero)
            }
        }
    }

    @Test func autoDetectionIsPinnedPerTarget() async throws {
        let engineGone = Mutex(false)
        try await withLoopbackServer({ router in
            router.get("metrics") { _, _ in
                engineGone.withLock { $0 } ? Response.exposition(ScrapeFixtures.unrelated) : Response.exposition(ScrapeFixtures.vllm())
            }
        }) { port in
            try await withClient(roomyConfiguration) { client in
                let scraper = Scraper(httpClient: client, configuration: roomyConfiguration)
                let target = ScrapeTarget(id: "w", url: "http://127.0.0.1:\(port)/metrics")
                _ = await scraper.scrapeOnce([target], now: TickingClock().now)
                #expect(await scraper.health()["w"]?.preset == "vllm")
                // The engine went away: the pinned vLLM preset now misses its signals, so the
                // failure names them (not "no engine"), and the next round detects afresh.
                engineGone.withLock { $0 = true }
                let second = await scraper.scrapeOnce([target], now: TickingClock().now)
                guard case .missingSignals = second.workers["w"]?.error?.reason else {
                    Issue.record("expected missing signals from the pinned preset, got \(String(describing: second.workers["w"]?.error))")
                    return
                }
                let third = await scraper.scrapeOnce([target], now: TickingClock().now)
                #expect(third.workers["w"]?.error?.reason == .noEngineDetected)
            }
        }
    }
}
