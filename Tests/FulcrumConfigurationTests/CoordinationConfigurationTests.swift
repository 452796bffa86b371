@testable import FulcrumConfiguration
import Foundation
import FulcrumTestSupport
import Testing

@Suite("Configuration: coordination through etcd")
struct CoordinationConfigurationTests {
    static func parse(_ section: String) throws -> DaemonConfiguration {
        try DaemonConfiguration.parse(yaml: ConfigurationFixtures.minimal + "\n" + section, source: "ha.yaml")
    }

    static func problems(_ section: String) -> String {
        (#expect(throws: ConfigurationError.self) { try parse(section) })?.description ?? ""
    }

    @Test("absent: the daemon runs alone, as before")
    func absent() throws {
        #expect(try Self.parse("").coordination == nil)
    }

    @Test("endpoints and prefix are enough; the TTL and the name have defaults")
    func defaults() throws {
        let coordination = try #require(try Self.parse("""
        coordination:
          etcd: {endpoints: ["http://10.0.0.1:2379", "http://10.0.0.2:2379/"], prefix: /fulcrum/prod}
        """).coordination)
        #expect(coordination.endpoints == ["http://10.0.0.1:2379", "http://10.0.0.2:2379"])
        #expect(coordination.prefix == "/fulcrum/prod")
        #expect(coordination.leaseTTL == CoordinationConfiguration.Defaults.leaseTTL)
        #expect(coordination.name == ProcessInfo.processInfo.hostName)
        #expect(coordination.tls == nil)
        #expect(coordination.credentials == nil)
    }

    @Test("TLS files and credentials are read when they exist")
    func tlsAndCredentials() throws {
        let folder = NSTemporaryDirectory() + "fulcrum-ha-config-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in ["ca.pem", "client.pem", "client-key.pem", "password"] { try "x".write(toFile: "\(folder)/\(file)", atomically: true, encoding: .utf8) }
        let coordination = try #require(try Self.parse("""
        coordination:
          etcd:
            endpoints: [https://etcd-1:2379]
            prefix: /fulcrum/prod
            lease_ttl: 15s
            name: head-a
            tls: {ca_file: \(folder)/ca.pem, cert_file: \(folder)/client.pem, key_file: \(folder)/client-key.pem}
            username: fulcrum
            password_file: \(folder)/password
        """).coordination)
        #expect(coordination.leaseTTL == .seconds(15))
        #expect(coordination.name == "head-a")
        #expect(coordination.tls == EtcdTLSConfiguration(caFile: "\(folder)/ca.pem", certFile: "\(folder)/client.pem", keyFile: "\(folder)/client-key.pem"))
        #expect(coordination.credentials == EtcdCredentials(username: "fulcrum", passwordFile: "\(folder)/password"))
    }

    @Test("every mistake is named with its key and what to write instead")
    func mistakes() {
        let text = Self.problems("""
        coordination:
          etcd:
            endpoints: ["etcd-1:2379", "ftp://x:1"]
            prefix: fulcrum/
            lease_ttl: 500ms
            name: "head a"
            tls: {cert_file: /nonexistent/client.pem}
            username: fulcrum
            leader: me
        state_file: /var/lib/fulcrum/state.json
        """)
        for fragment in [
            "coordination.etcd.endpoints is \"etcd-1:2379\"", "coordination.etcd.endpoints is \"ftp://x:1\"", "http://10.0.0.1:2379",
            "coordination.etcd.prefix is \"fulcrum/\"", "absolute key path",
            "coordination.etcd.lease_ttl is \"500ms\"", "whole seconds from 2s",
            "coordination.etcd.name is \"head a\"",
            "coordination.etcd.tls.cert_file", "cannot be read", "cert_file and key_file together",
            "coordination.etcd.username", "needs password_file",
            "coordination.etcd.leader", "not a known key",
            "state_file", "is not used with coordination",
        ] {
            #expect(text.contains(fragment), "missing \(fragment) in:\n\(text)")
        }
    }

    @Test("TLS needs https endpoints; etcd needs endpoints and a prefix")
    func requiredParts() {
        let tls = Self.problems("""
        coordination:
          etcd: {endpoints: [http://etcd:2379], prefix: /f, tls: {}}
        """)
        #expect(tls.contains("some endpoints are http://"), "\(tls)")
        let empty = Self.problems("coordination: {etcd: {}}")
        #expect(empty.contains("coordination.etcd.endpoints is required"), "\(empty)")
        #expect(empty.contains("coordination.etcd.prefix is required"), "\(empty)")
        let bare = Self.problems("coordination: {}")
        #expect(bare.contains("coordination.etcd is required"), "\(bare)")
    }
}
