/// Everything a trace read produced: the requests, the format that was used, and what was skipped.
public struct TraceReadResult: Sendable, Equatable {
    /// Sorted by arrival; requests with equal arrivals keep their file order.
    public var requests: [TraceRequest]
    /// The concrete format (never `.auto`): the requested one, or the detected one.
    public var format: TraceFormat
    public var report: TraceReadReport

    public init(requests: [TraceRequest], format: TraceFormat, report: TraceReadReport) {
        self.requests = requests
        self.format = format
        self.report = report
    }
}
