import FulcrumCore

/// Something that happens at one instant of simulated time.
///
/// Ordered by time, then by the order it was scheduled, so simultaneous events are handled
/// deterministically in causal order.
struct SimulationEvent: Comparable {
    enum Kind {
        /// The next request of the trace arrives at the router.
        case arrival
        case prefillBatchDone(instance: Int)
        case kvTransferDone(request: Int, decodeInstance: Int)
        case decodeStepDone(instance: Int)
        case workerReady(role: Role, instance: Int)
        case policyTick
        /// `maxDrainSeconds` after the last arrival: stop and report what is left as failed.
        case giveUp
    }

    var time: Double
    var sequence: UInt64
    var kind: Kind

    static func < (lhs: SimulationEvent, rhs: SimulationEvent) -> Bool {
        lhs.time != rhs.time ? lhs.time < rhs.time : lhs.sequence < rhs.sequence
    }

    static func == (lhs: SimulationEvent, rhs: SimulationEvent) -> Bool {
        lhs.time == rhs.time && lhs.sequence == rhs.sequence
    }
}
