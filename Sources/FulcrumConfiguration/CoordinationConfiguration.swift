import Foundation

/// `coordination.etcd`: several fulcrumd on different head nodes, one leader elected through
/// etcd (docs/deploy.md#two-head-nodes). Absent, one daemon steers alone as it always did.
public struct CoordinationConfiguration: Sendable, Hashable {
    /// etcd client URLs (`http://` or `https://`, host and port); tried in order, the first
    /// that answers is kept until it stops answering.
    public var endpoints: [String]
    /// Every key fulcrumd writes lives under this prefix, e.g. `/fulcrum/prod`.
    public var prefix: String
    /// How long a leader that stops renewing (crashed, paused, cut off) keeps the lead.
    public var leaseTTL: Duration
    /// This daemon's name as the others see it (status, logs); the host name by default.
    public var name: String
    public var tls: EtcdTLSConfiguration?
    /// etcd's own authentication (`etcdctl user add`); the password is read from a file so
    /// it stays out of the configuration.
    public var credentials: EtcdCredentials?

    public enum Defaults {
        public static let leaseTTL = Duration.seconds(10)
        /// etcd refuses leases much shorter than its election timeout; a TTL under this would
        /// also expire on one slow renewal.
        public static let shortestLeaseTTL = Duration.seconds(2)
        public static var name: String { ProcessInfo.processInfo.hostName }
    }

    public init(endpoints: [String], prefix: String, leaseTTL: Duration = Defaults.leaseTTL, name: String = Defaults.name,
                tls: EtcdTLSConfiguration? = nil, credentials: EtcdCredentials? = nil) {
        self.endpoints = endpoints
        self.prefix = prefix
        self.leaseTTL = leaseTTL
        self.name = name
        self.tls = tls
        self.credentials = credentials
    }
}

/// Client TLS towards etcd: the CA that signed its certificates and, where etcd asks for
/// client certificates (`--client-cert-auth`), this daemon's certificate and key.
public struct EtcdTLSConfiguration: Sendable, Hashable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}

public struct EtcdCredentials: Sendable, Hashable {
    public var username: String
    public var passwordFile: String

    public init(username: String, passwordFile: String) {
        self.username = username
        self.passwordFile = passwordFile
    }
}
