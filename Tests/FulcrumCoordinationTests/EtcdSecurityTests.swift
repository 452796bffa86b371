import Foundation
import FulcrumConfiguration
import FulcrumCoordination
import FulcrumTestSupport
import Logging
import Testing

/// The client's TLS (with client certificates) and etcd's own authentication, against real
/// etcd members configured for each.
@Suite("etcd client: TLS and authentication", .serialized)
struct EtcdSecurityTests {
    static func lead(_ configuration: CoordinationConfiguration) async throws -> (leads: Bool, problem: String?) {
        let client = try EtcdClient(configuration, requestTimeout: .seconds(2))
        let election = LeaderElection(client: client, prefix: configuration.prefix, ttlSeconds: 30,
                                      identity: DaemonIdentity(name: configuration.name, controlSocket: "/run/x.sock"), logger: Logger(label: "test"))
        // Up to three rounds: on a loaded machine a TLS handshake can take long enough for a
        // round to fail on its own; a configuration that cannot work fails all three.
        for _ in 0..<3 {
            await election.step()
            if await election.isLeader { break }
        }
        let result = (await election.isLeader, await election.status.problem)
        await election.resign()
        await client.shutdown()
        return result
    }

    @Test("https with a client certificate leads; without the certificate etcd's refusal is reported")
    func clientCertificates() async throws {
        let etcd = try await EtcdCluster.start(size: 1, tls: true)
        defer { etcd.stop() }
        let files = try #require(etcd.tls)
        var configuration = CoordinationConfiguration(endpoints: etcd.endpoints, prefix: "/t/tls", name: "tls-a",
                                                      tls: EtcdTLSConfiguration(caFile: files.ca, certFile: files.clientCert, keyFile: files.clientKey))
        let withCertificate = try await Self.lead(configuration)
        #expect(withCertificate.leads, "\(withCertificate.problem ?? "")")

        configuration.tls = EtcdTLSConfiguration(caFile: files.ca)
        let without = try await Self.lead(configuration)
        #expect(!without.leads)
        #expect(without.problem?.contains("No etcd endpoint answered") == true, "\(without.problem ?? "")")

        configuration.tls = nil
        configuration.endpoints = etcd.endpoints.map { $0.replacingOccurrences(of: "https://", with: "http://") }
        let plain = try await Self.lead(configuration)
        #expect(!plain.leads)
    }

    @Test("with authentication on, the configured user leads; a wrong password is refused in one sentence")
    func authentication() async throws {
        let etcd = try await EtcdCluster.start(size: 1)
        defer { etcd.stop() }
        for command in [["user", "add", "root", "--new-user-password", "rootpw"], ["user", "add", "fulcrum", "--new-user-password", "s3cret"],
                        ["role", "add", "fulcrum"], ["role", "grant-permission", "fulcrum", "--prefix=true", "readwrite", "/t/auth/"],
                        ["user", "grant-role", "fulcrum", "fulcrum"], ["auth", "enable"]] {
            let result = try etcd.etcdctl(command)
            #expect(result.status == 0, "etcdctl \(command.joined(separator: " ")): \(result.output)")
        }
        let folder = etcd.folder
        try "s3cret\n".write(toFile: "\(folder)/password", atomically: true, encoding: .utf8)
        try "wrong\n".write(toFile: "\(folder)/wrong", atomically: true, encoding: .utf8)
        var configuration = CoordinationConfiguration(endpoints: etcd.endpoints, prefix: "/t/auth", name: "auth-a",
                                                      credentials: EtcdCredentials(username: "fulcrum", passwordFile: "\(folder)/password"))
        let good = try await Self.lead(configuration)
        #expect(good.leads, "\(good.problem ?? "")")

        configuration.credentials = EtcdCredentials(username: "fulcrum", passwordFile: "\(folder)/wrong")
        let bad = try await Self.lead(configuration)
        #expect(!bad.leads)
        #expect(bad.problem?.contains("refused /v3/auth/authenticate") == true, "\(bad.problem ?? "")")

        configuration.credentials = nil
        let anonymous = try await Self.lead(configuration)
        #expect(!anonymous.leads)
        #expect(anonymous.problem?.contains("refused") == true, "\(anonymous.problem ?? "")")
    }
}
