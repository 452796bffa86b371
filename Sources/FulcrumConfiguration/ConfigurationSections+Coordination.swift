import Foundation
import Yams

/// `coordination`: the etcd cluster through which several fulcrumd elect one leader.
extension DaemonConfiguration {
    static func readCoordination(_ node: Node?, reader: inout ConfigurationReader) -> CoordinationConfiguration? {
        guard let section = reader.mapping(node, key: "coordination", allowed: ["etcd"]) else { return nil }
        guard let fields = reader.mapping(section["etcd"], key: "coordination.etcd",
                                          allowed: ["endpoints", "prefix", "lease_ttl", "name", "tls", "username", "password_file"]) else {
            if section["etcd"] == nil { reader.missing("coordination.etcd", "give etcd's endpoints and a key prefix, or remove coordination") }
            return nil
        }
        let endpoints = readEtcdEndpoints(fields["endpoints"], reader: &reader)
        let prefix = readEtcdPrefix(fields["prefix"], reader: &reader)
        var coordination = CoordinationConfiguration(endpoints: endpoints, prefix: prefix ?? "")
        if let ttl = reader.duration(fields["lease_ttl"], key: "coordination.etcd.lease_ttl") {
            if ttl >= CoordinationConfiguration.Defaults.shortestLeaseTTL.inSeconds, ttl == ttl.rounded(), ttl <= 3600 {
                coordination.leaseTTL = .seconds(ttl)
            } else {
                reader.report("coordination.etcd.lease_ttl", fields["lease_ttl"], "expected whole seconds from 2s to 1h (etcd leases count in seconds)")
            }
        }
        if let name = reader.string(fields["name"], key: "coordination.etcd.name") {
            if name.count <= 128, name.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) { coordination.name = name } else {
                reader.report("coordination.etcd.name", fields["name"], "expected up to 128 printable ASCII characters without spaces")
            }
        }
        coordination.tls = readEtcdTLS(fields["tls"], endpoints: endpoints, reader: &reader)
        coordination.credentials = readEtcdCredentials(fields, reader: &reader)
        guard !endpoints.isEmpty, prefix != nil else { return nil }
        return coordination
    }

    private static func readEtcdEndpoints(_ node: Node?, reader: inout ConfigurationReader) -> [String] {
        guard let items = reader.sequence(node, key: "coordination.etcd.endpoints") else {
            if node == nil { reader.missing("coordination.etcd.endpoints", "list etcd's client URLs, e.g. [http://10.0.0.1:2379]") }
            return []
        }
        var endpoints: [String] = []
        for item in items {
            guard let text = reader.string(item, key: "coordination.etcd.endpoints") else { continue }
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  let host = url.host, !host.isEmpty, url.port != nil, url.path.isEmpty || url.path == "/"
            else {
                reader.report("coordination.etcd.endpoints", item, "expected an etcd client URL with scheme, host and port, e.g. http://10.0.0.1:2379")
                continue
            }
            endpoints.append(text.hasSuffix("/") ? String(text.dropLast()) : text)
        }
        if items.isEmpty { reader.report("coordination.etcd.endpoints", node, "expected at least one etcd client URL") }
        return endpoints
    }

    private static func readEtcdPrefix(_ node: Node?, reader: inout ConfigurationReader) -> String? {
        guard let prefix = reader.string(node, key: "coordination.etcd.prefix") else {
            if node == nil { reader.missing("coordination.etcd.prefix", "name this fleet's key prefix, e.g. /fulcrum/prod") }
            return nil
        }
        guard prefix.hasPrefix("/"), prefix.count > 1, !prefix.hasSuffix("/"), !prefix.contains("//"), prefix.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            reader.report("coordination.etcd.prefix", node, "expected an absolute key path without a trailing slash or spaces, e.g. /fulcrum/prod")
            return nil
        }
        return prefix
    }

    private static func readEtcdTLS(_ node: Node?, endpoints: [String], reader: inout ConfigurationReader) -> EtcdTLSConfiguration? {
        guard let fields = reader.mapping(node, key: "coordination.etcd.tls", allowed: ["ca_file", "cert_file", "key_file"]) else { return nil }
        var tls = EtcdTLSConfiguration()
        tls.caFile = readableFile(fields["ca_file"], key: "coordination.etcd.tls.ca_file", reader: &reader)
        tls.certFile = readableFile(fields["cert_file"], key: "coordination.etcd.tls.cert_file", reader: &reader)
        tls.keyFile = readableFile(fields["key_file"], key: "coordination.etcd.tls.key_file", reader: &reader)
        if (fields["cert_file"] == nil) != (fields["key_file"] == nil) {
            reader.report("coordination.etcd.tls", node, "expected cert_file and key_file together (a client certificate needs its key)")
        }
        if endpoints.contains(where: { $0.lowercased().hasPrefix("http://") }) {
            reader.report("coordination.etcd.tls", node, "is given, but some endpoints are http://; use https:// endpoints with TLS")
        }
        return tls
    }

    private static func readEtcdCredentials(_ fields: [String: Node], reader: inout ConfigurationReader) -> EtcdCredentials? {
        let username = reader.string(fields["username"], key: "coordination.etcd.username")
        let passwordFile = readableFile(fields["password_file"], key: "coordination.etcd.password_file", reader: &reader)
        switch (username, passwordFile) {
        case let (username?, passwordFile?): return EtcdCredentials(username: username, passwordFile: passwordFile)
        case (nil, nil): return nil
        case (_?, nil) where fields["password_file"] == nil:
            reader.report("coordination.etcd.username", fields["username"], "needs password_file too (a file holding the etcd password)")
        case (nil, _?) where fields["username"] == nil:
            reader.report("coordination.etcd.password_file", fields["password_file"], "needs username too")
        default: break
        }
        return nil
    }

    /// An absolute path to a file this process can read, checked now so `fulcrumd --check`
    /// catches a wrong path before the daemon needs the file.
    private static func readableFile(_ node: Node?, key: String, reader: inout ConfigurationReader) -> String? {
        guard let path = reader.string(node, key: key) else { return nil }
        guard path.hasPrefix("/") else {
            reader.report(key, node, "expected an absolute file path")
            return nil
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            reader.report(key, node, "cannot be read; check that the file exists and fulcrumd's user may read it")
            return nil
        }
        return path
    }
}
