import FulcrumCore

/// How a target has been doing, for `fulcrumctl status` and the daemon's own metrics.
public struct TargetHealth: Sendable, Equatable {
    public var url: String
    /// `scrapedAt` of the last scrape that yielded telemetry (the values `Scraper.latest` holds).
    public var lastSuccess: Timestamp?
    /// Completion time of the last attempt, good or bad.
    public var lastAttempt: Timestamp?
    /// The last failure; cleared by a success.
    public var lastError: ScrapeError?
    public var consecutiveFailures: Int
    public var lastDuration: Duration?
    /// Body bytes of the last attempt after decompression (0 when nothing was read).
    public var lastBytes: Int
    /// The preset in use: the named one, or the one auto-detection pinned.
    public var preset: String?

    public init(url: String) {
        self.url = url
        self.lastSuccess = nil
        self.lastAttempt = nil
        self.lastError = nil
        self.consecutiveFailures = 0
        self.lastDuration = nil
        self.lastBytes = 0
        self.preset = nil
    }

    /// The last attempt failed: any telemetry held for this target is older than this round.
    public var isStale: Bool { consecutiveFailures > 0 }

    /// One sentence for logs and status, e.g. the last error.
    public var lastErrorMessage: String? { lastError?.description }
}
