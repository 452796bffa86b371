import FulcrumCore
import FulcrumDecisionAPI

/// The decision interface's line reader: each line of the input is one request to one session,
/// so sequences of snapshots (times going backwards, workers appearing and vanishing) are
/// exercised as `fulcrum-sim decide` sees them.
public func fuzzDecisionLines(_ bytes: [UInt8]) {
    var session = DecisionSession(configuration: ControllerConfiguration(
        slo: .default, placement: PlacementConstraints(gpusPerInstance: PerRole(repeating: 1), maxTotalGPUs: 64)))
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(64) {
        _ = session.respond(to: String(decoding: line, as: UTF8.self))
    }
}
