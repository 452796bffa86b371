/// The scheduling logic of one worker with time passed in, never read: submit work, ask when the
/// next batch or step ends, and advance to an instant to collect what happened up to it. The
/// engine actor owns the clock; tests drive a machine by hand.
public protocol BatchingMachine: Sendable {
    /// Queues `request`, which arrived at `now`. The caller has checked `rejection(for:)`.
    mutating func submit(_ request: EngineRequest, at now: Double)
    /// Processes every batch or step that ends at or before `now`, each at its own end time, so
    /// timer lateness delays delivery but never stretches the schedule.
    mutating func advance(to now: Double) -> [EngineEvent]
    /// Forgets a request whose client left; the `finished(.abort)` event if it was still pending.
    mutating func cancel(_ id: UInt64, at now: Double) -> [EngineEvent]
    /// When the running batch or step, or the next KV transfer, ends; `nil` when idle.
    var nextEventTime: Double? { get }
    var gauges: EngineGauges { get }
    /// Why the machine can never serve `request`, or `nil` if it can.
    func rejection(for request: EngineRequest) -> String?
}
