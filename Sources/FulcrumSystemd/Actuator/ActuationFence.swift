/// Says, immediately before each change to a unit or to the router's membership, whether this
/// process may make it. fulcrumd with `coordination` answers from etcd (only the elected
/// leader acts); without a fence every change is allowed, as in a single-daemon deployment.
public protocol ActuationFence: Sendable {
    /// nil: go ahead. Otherwise one sentence saying why not (the change is then not made).
    func refusal(for change: String) async -> String?
    /// A cheap local answer, without asking etcd: false when this process surely may not act
    /// now, so routine work (registering adopted workers) is left to the leader quietly.
    func mightAct() async -> Bool
}
