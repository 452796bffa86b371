import FulcrumDecisionAPI

/// The answer to every request that changes something.
public struct ChangeView: Sendable, Hashable, Codable {
    /// What became of a hand drain.
    public struct Outcome: Sendable, Hashable, Codable {
        public var action: DecisionMessage.Action
        /// `done`, `started`, `refused`, `failed`, `deferred`, `skipped_dry_run` or `not_leader`.
        public var result: String
        public var message: String?

        public init(action: DecisionMessage.Action, result: String, message: String?) {
            self.action = action
            self.result = result
            self.message = message
        }
    }

    public var schema: Int
    public var ok: Bool
    /// One line saying what was done, as the audit trail records it.
    public var change: String
    public var overrides: OverridesView?
    public var outcome: Outcome?

    public init(ok: Bool, change: String, overrides: OverridesView? = nil, outcome: Outcome? = nil) {
        schema = ControlSchema.version
        self.ok = ok
        self.change = change
        self.overrides = overrides
        self.outcome = outcome
    }
}

/// The answer to every refused request: one sentence naming the input, and the HTTP status.
public struct ErrorView: Sendable, Hashable, Codable {
    public var schema: Int
    public var error: String
    public var status: Int

    public init(error: String, status: Int) {
        schema = ControlSchema.version
        self.error = error
        self.status = status
    }
}
