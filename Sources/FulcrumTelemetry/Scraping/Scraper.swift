import FulcrumCore
import NIOCore

/// Scrapes many worker (and frontend) endpoints concurrently and keeps, per target, the last
/// good telemetry and its health.
///
/// A round sends at most `configuration.concurrency` requests at once, starts each target at
/// its jitter offset, and bounds every request by `configuration.timeout` and
/// `configuration.maxBodyBytes`. Auto-detected presets are pinned per worker after the first
/// good scrape (parsing then materialises only that preset's families) and re-detected when the
/// pinned preset stops matching. Wall-clock time comes from the `now` closure of each call;
/// durations and sleeps from the injected `MonotonicClock`.
public actor Scraper {
    public nonisolated let configuration: ScraperConfiguration
    private let fetcher: ExpositionFetcher
    private let clock: MonotonicClock

    private var workerHealth: [WorkerID: TargetHealth] = [:]
    private var frontendHealthByName: [String: TargetHealth] = [:]
    private var latestWorker: [WorkerID: WorkerTelemetry] = [:]
    private var latestFrontendByName: [String: FrontendTelemetry] = [:]
    private var pinned: [WorkerID: PinnedPreset] = [:]

    private struct PinnedPreset {
        var url: String
        var preset: EnginePreset
    }

    /// `httpClient` is usually `ScrapeHTTPClient(configuration: configuration)`; the caller owns
    /// it and shuts it down.
    public init(httpClient: ScrapeHTTPClient, configuration: ScraperConfiguration = ScraperConfiguration(), clock: MonotonicClock = .continuous) {
        self.configuration = configuration
        self.clock = clock
        self.fetcher = ExpositionFetcher(httpClient: httpClient, configuration: configuration)
    }

    /// Scrapes every target once and returns what was seen. Never throws: failures are in the
    /// round and in `health()`. Cancelling the calling task abandons the targets not yet done
    /// without counting them as failures.
    static let launchGranularity: Duration = .milliseconds(10)

    /// When to launch the target with each offset: offsets (sorted) within `launchGranularity` of
    /// the first of their group wait for the group's last, so one timer serves the group. Why: a
    /// timer and a thread wake-up per target cost a 1,000-worker round more CPU than its
    /// parsing; grouped, requests are still spread over the window, each a fixed few
    /// milliseconds after its offset (never before it), so every target stays one interval apart.
    static func launchTimes(_ sortedOffsets: [Duration]) -> [Duration: Duration] {
        var wakes: [Duration: Duration] = [:]
        var group: [Duration] = []
        func close() { if let last = group.last { for offset in group { wakes[offset] = last } }; group.removeAll() }
        for offset in sortedOffsets where offset > .zero {
            if let first = group.first, offset >= first + launchGranularity { close() }
            group.append(offset)
        }
        close()
        return wakes
    }

    public func scrapeOnce(
        _ targets: [ScrapeTarget],
        frontends: [FrontendTarget] = [],
        now: @escaping @Sendable () -> Timestamp
    ) async -> ScrapeRound {
        let jitter = ScrapeJitter(configuration: configuration)
        let roundStart = clock.elapsed()
        var round = ScrapeRound(startedAt: now(), duration: .zero, workers: [:], frontends: [:], telemetry: [:], frontendTelemetry: [:])
        // Sized once: grown by doubling, a 1,000-worker round held two copies of its largest
        // table at the last growth (1 MB of the daemon's peak heap).
        round.workers.reserveCapacity(targets.count)
        round.telemetry.reserveCapacity(targets.count)

        var jobs: [(offset: Duration, job: Job)] = targets.map { target in
            let pin = pinned[target.id].flatMap { $0.url == target.url ? $0.preset : nil }
            return (jitter.offset(for: target.url), .worker(target, pinned: pin))
        }
        jobs += frontends.map { (jitter.offset(for: $0.url), .frontend($0)) }
        jobs.sort { $0.offset < $1.offset }

        let wakes = Self.launchTimes(jobs.map(\.offset))
        let fetcher = self.fetcher
        let clock = self.clock
        let limit = configuration.concurrency
        await withTaskGroup(of: JobResult.self) { group in
            var inFlight = 0
            for (offset, job) in jobs {
                // The loop, not the child task, waits out the offset, so a sleeping target
                // never occupies one of the concurrency slots.
                if let wake = wakes[offset], clock.elapsed() < roundStart + wake {
                    try? await clock.sleepUntil(roundStart + wake)
                }
                while inFlight >= limit, let result = await group.next() {
                    inFlight -= 1
                    apply(result, to: &round)
                }
                if Task.isCancelled {
                    apply(job.cancelled(offset: offset), to: &round)
                    continue
                }
                group.addTask { await job.run(fetcher: fetcher, clock: clock, offset: offset, now: now) }
                inFlight += 1
            }
            for await result in group { apply(result, to: &round) }
        }
        round.duration = clock.elapsed() - roundStart
        for target in targets { round.telemetry[target.id] = latestWorker[target.id] }
        for frontend in frontends { round.frontendTelemetry[frontend.name] = latestFrontendByName[frontend.name] }
        return round
    }

    /// Health of every worker scraped so far.
    public func health() -> [WorkerID: TargetHealth] { workerHealth }

    /// Health of every frontend scraped so far, by name.
    public func frontendHealth() -> [String: TargetHealth] { frontendHealthByName }

    /// The newest good telemetry of a worker, however old (see its `scrapedAt`).
    public func latest(_ id: WorkerID) -> WorkerTelemetry? { latestWorker[id] }

    public func latestFrontend(_ name: String) -> FrontendTelemetry? { latestFrontendByName[name] }

    /// Drops everything known about a worker that left the cluster.
    public func forget(_ id: WorkerID) {
        workerHealth[id] = nil
        latestWorker[id] = nil
        pinned[id] = nil
    }

    // MARK: - Bookkeeping

    private func apply(_ result: JobResult, to round: inout ScrapeRound) {
        switch result {
        case .worker(let scrape, let finishedAt, let usedPreset):
            let id = scrape.target.id
            round.workers[id] = scrape
            if scrape.error?.reason == .cancelled { return }
            var health = workerHealth[id] ?? TargetHealth(url: scrape.target.url)
            record(&health, error: scrape.error, finishedAt: finishedAt, dataTime: scrape.extraction?.telemetry?.scrapedAt, duration: scrape.duration, bytes: scrape.bytes)
            health.preset = usedPreset?.name ?? health.preset
            workerHealth[id] = health
            if let telemetry = scrape.extraction?.telemetry, scrape.error == nil {
                latestWorker[id] = telemetry
            }
            if case .auto = scrape.target.preset {
                if let usedPreset, scrape.error == nil {
                    pinned[id] = PinnedPreset(url: scrape.target.url, preset: usedPreset)
                } else if case .missingSignals = scrape.error?.reason {
                    // The worker may have been replaced by another engine: detect again.
                    pinned[id] = nil
                }
            }
        case .frontend(let scrape, let finishedAt):
            let name = scrape.target.name
            round.frontends[name] = scrape
            if scrape.error?.reason == .cancelled { return }
            var health = frontendHealthByName[name] ?? TargetHealth(url: scrape.target.url)
            record(&health, error: scrape.error, finishedAt: finishedAt, dataTime: scrape.extraction?.telemetry?.scrapedAt, duration: scrape.duration, bytes: scrape.bytes)
            health.preset = scrape.target.preset.name
            frontendHealthByName[name] = health
            if let telemetry = scrape.extraction?.telemetry, scrape.error == nil {
                latestFrontendByName[name] = telemetry
            }
        }
    }

    /// `dataTime` is the good telemetry's `scrapedAt`, so that `lastSuccess` matches the values kept.
    private func record(_ health: inout TargetHealth, error: ScrapeError?, finishedAt: Timestamp, dataTime: Timestamp?, duration: Duration, bytes: Int) {
        health.lastAttempt = finishedAt
        health.lastDuration = duration
        health.lastBytes = bytes
        if let error {
            health.lastError = error
            health.consecutiveFailures += 1
        } else {
            health.lastError = nil
            health.consecutiveFailures = 0
            health.lastSuccess = dataTime ?? finishedAt
        }
    }
}

// MARK: - Jobs

/// One target's work in a round, run in a child task off the actor.
private enum Job: Sendable {
    case worker(ScrapeTarget, pinned: EnginePreset?)
    case frontend(FrontendTarget)

    func run(fetcher: ExpositionFetcher, clock: MonotonicClock, offset: Duration, now: @Sendable () -> Timestamp) async -> JobResult {
        let started = clock.elapsed()
        switch self {
        case .worker(let target, let pinned):
            return await Self.scrapeWorker(target, pinned: pinned, fetcher: fetcher, clock: clock, started: started, offset: offset, now: now)
        case .frontend(let target):
            return await Self.scrapeFrontend(target, fetcher: fetcher, clock: clock, started: started, offset: offset, now: now)
        }
    }

    /// Fetches, parses and maps one worker's exposition; any failure is kept in the scrape.
    private static func scrapeWorker(_ target: ScrapeTarget, pinned: EnginePreset?, fetcher: ExpositionFetcher, clock: MonotonicClock,
                                     started: Duration, offset: Duration, now: @Sendable () -> Timestamp) async -> JobResult {
        var bytes = 0
        var extraction: WorkerExtraction? = nil
        var used: EnginePreset? = nil
        var failure: ScrapeError? = nil
        do throws(ScrapeError) {
            let fixed: EnginePreset?
            do throws(ScrapeError.Reason) {
                fixed = try target.preset.resolve()
            } catch {
                throw ScrapeError(url: target.url, reason: error)
            }
            let fetched = try await fetcher.fetch(target.url)
            bytes = fetched.byteCount
            let scrapedAt = now()
            let mapped = fetched.body.withUnsafeReadableBytes { raw in
                Result { () throws(ExpositionParseError) in
                    try TelemetryMapper.worker(raw, format: fetched.format, preset: fixed ?? pinned, scrapedAt: scrapedAt)
                }
            }
            let result: WorkerExtraction
            switch mapped {
            case .success(let value): result = value
            case .failure(let error): throw ScrapeError(url: target.url, reason: .parse(error))
            }
            extraction = result
            guard let name = result.preset else { throw ScrapeError(url: target.url, reason: .noEngineDetected) }
            used = fixed ?? pinned ?? EnginePreset.named(name)
            if result.telemetry == nil {
                throw ScrapeError(url: target.url, reason: refusal(missing: result.missingRequired.map(\.rawValue), issues: result.issues))
            }
        } catch {
            failure = error
        }
        let scrape = WorkerScrape(
            target: target, startOffset: offset, duration: clock.elapsed() - started,
            bytes: bytes, extraction: extraction, error: failure
        )
        return .worker(scrape, finishedAt: now(), preset: used)
    }

    /// Fetches one frontend's exposition and extracts its preset's signals; any failure is kept.
    private static func scrapeFrontend(_ target: FrontendTarget, fetcher: ExpositionFetcher, clock: MonotonicClock,
                                       started: Duration, offset: Duration, now: @Sendable () -> Timestamp) async -> JobResult {
        var bytes = 0
        var extraction: FrontendExtraction? = nil
        var failure: ScrapeError? = nil
        do throws(ScrapeError) {
            let fetched = try await fetcher.fetch(target.url)
            bytes = fetched.byteCount
            let scrapedAt = now()
            let parsed = fetched.body.withUnsafeReadableBytes { raw in
                Result { () throws(ExpositionParseError) in
                    try ExpositionParser.parse(raw, format: fetched.format, families: .only(target.preset.metricNames))
                }
            }
            switch parsed {
            case .success(let exposition):
                let result = target.preset.extract(from: exposition, scrapedAt: scrapedAt)
                extraction = result
                if result.telemetry == nil {
                    throw ScrapeError(url: target.url, reason: refusal(missing: result.missingRequired.map(\.rawValue), issues: result.issues))
                }
            case .failure(let error):
                throw ScrapeError(url: target.url, reason: .parse(error))
            }
        } catch {
            failure = error
        }
        let scrape = FrontendScrape(
            target: target, startOffset: offset, duration: clock.elapsed() - started,
            bytes: bytes, extraction: extraction, error: failure
        )
        return .frontend(scrape, finishedAt: now())
    }

    func cancelled(offset: Duration) -> JobResult {
        switch self {
        case .worker(let target, _):
            let error = ScrapeError(url: target.url, reason: .cancelled)
            return .worker(WorkerScrape(target: target, startOffset: offset, duration: .zero, bytes: 0, extraction: nil, error: error), finishedAt: Timestamp(seconds: 0), preset: nil)
        case .frontend(let target):
            let error = ScrapeError(url: target.url, reason: .cancelled)
            return .frontend(FrontendScrape(target: target, startOffset: offset, duration: .zero, bytes: 0, extraction: nil, error: error), finishedAt: Timestamp(seconds: 0))
        }
    }

    /// Why an extraction handed out no telemetry: what is missing, else what could not be used.
    private static func refusal(missing: [String], issues: [TelemetryIssue]) -> ScrapeError.Reason {
        missing.isEmpty ? .unusableValues(issues.map(\.description)) : .missingSignals(missing)
    }
}

private enum JobResult: Sendable {
    case worker(WorkerScrape, finishedAt: Timestamp, preset: EnginePreset?)
    case frontend(FrontendScrape, finishedAt: Timestamp)
}
