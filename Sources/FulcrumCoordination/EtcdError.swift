/// An etcd call that did not work, as one sentence naming the endpoint and what to do.
public struct EtcdError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No endpoint answered (refused, timed out, no quorum behind it).
        case unreachable
        /// etcd answered and said no (bad credentials, permission, a malformed request).
        case refused
        /// The answer was not what the v3 gateway sends.
        case badResponse
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
