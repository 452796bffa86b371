/// The body of `POST /v1/overrides`; `kind` says which fields apply (docs/control-api.md).
///
/// fulcrumctl encodes it; fulcrumd reads bodies with a strict field-by-field parser
/// (`ControlRequestParser`) so that any client's mistakes get a sentence naming the field, and
/// a test holds the two to the same keys.
public struct OverrideBody: Sendable, Hashable, Codable {
    public var kind: String
    public var prefill: Int?
    public var decode: Int?
    public var minPrefill: Int?
    public var minDecode: Int?
    public var maxPrefill: Int?
    public var maxDecode: Int?
    /// Seconds, or a duration such as `30m`.
    public var ttl: String?
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case kind, prefill, decode, ttl, reason
        case minPrefill = "min_prefill", minDecode = "min_decode", maxPrefill = "max_prefill", maxDecode = "max_decode"
    }

    public init(kind: String, prefill: Int? = nil, decode: Int? = nil, minPrefill: Int? = nil, minDecode: Int? = nil,
                maxPrefill: Int? = nil, maxDecode: Int? = nil, ttl: String? = nil, reason: String? = nil) {
        self.kind = kind
        self.prefill = prefill
        self.decode = decode
        self.minPrefill = minPrefill
        self.minDecode = minDecode
        self.maxPrefill = maxPrefill
        self.maxDecode = maxDecode
        self.ttl = ttl
        self.reason = reason
    }
}

/// The body of `POST /v1/pause`: both fields optional.
public struct PauseBody: Sendable, Hashable, Codable {
    /// Seconds, or a duration such as `30m`.
    public var ttl: String?
    public var reason: String?

    public init(ttl: String? = nil, reason: String? = nil) {
        self.ttl = ttl
        self.reason = reason
    }
}

/// The body of `POST /v1/workers/{id}/drain` and `POST /v1/take-over`: an optional reason for
/// the audit trail.
public struct ReasonBody: Sendable, Hashable, Codable {
    public var reason: String?

    public init(reason: String? = nil) {
        self.reason = reason
    }
}
