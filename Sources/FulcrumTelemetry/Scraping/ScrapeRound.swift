import FulcrumCore

/// One worker's part of a round.
public struct WorkerScrape: Sendable {
    public var target: ScrapeTarget
    /// The jitter delay before the request was sent.
    public var startOffset: Duration
    /// Request, body and parse.
    public var duration: Duration
    /// Decompressed body bytes (0 when none were read).
    public var bytes: Int
    /// What the preset made of the scrape, when it was parsed (also on a missing-signal failure).
    public var extraction: WorkerExtraction?
    /// Why this round produced no telemetry for the worker; `nil` on success.
    public var error: ScrapeError?

    public var succeeded: Bool { error == nil }
}

/// One frontend's part of a round.
public struct FrontendScrape: Sendable {
    public var target: FrontendTarget
    public var startOffset: Duration
    public var duration: Duration
    public var bytes: Int
    public var extraction: FrontendExtraction?
    public var error: ScrapeError?

    public var succeeded: Bool { error == nil }
}

/// Everything one `Scraper.scrapeOnce` call saw.
///
/// `telemetry` holds, for every target of the round that has ever been scraped successfully,
/// the newest good values: this round's, or an older set with its original `scrapedAt` when this
/// round failed. A failed target is therefore stale, never zero; the estimator sees the age.
public struct ScrapeRound: Sendable {
    public var startedAt: Timestamp
    public var duration: Duration
    public var workers: [WorkerID: WorkerScrape]
    public var frontends: [String: FrontendScrape]
    public var telemetry: [WorkerID: WorkerTelemetry]
    public var frontendTelemetry: [String: FrontendTelemetry]

    /// This round's failures, by worker.
    public var failures: [WorkerID: ScrapeError] {
        workers.compactMapValues(\.error)
    }

    /// Workers that failed this round but still have older telemetry.
    public var stale: Set<WorkerID> {
        Set(workers.filter { !$0.value.succeeded && telemetry[$0.key] != nil }.keys)
    }
}
