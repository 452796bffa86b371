import FulcrumDecisionAPI

/// `GET /v1/explain`: the last decision in the decision interface's own wire form (the same
/// message `fulcrum-sim decide` writes), and the overrides it was made under.
public struct ExplainView: Sendable, Hashable, Codable {
    public var schema: Int
    public var decision: DecisionMessage
    public var overrides: OverridesView

    public init(decision: DecisionMessage, overrides: OverridesView) {
        schema = ControlSchema.version
        self.decision = decision
        self.overrides = overrides
    }
}
