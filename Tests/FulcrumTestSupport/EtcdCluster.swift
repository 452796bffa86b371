import Foundation

/// Real etcd members (Debian's etcd-server) on loopback ports, each with its own data folder
/// under a temporary directory, for the coordination tests. Members can be killed, paused and
/// started again from their data, as a member host failing or coming back.
public final class EtcdCluster: @unchecked Sendable {
    public struct Member {
        public var name: String
        public var clientPort: Int
        public var peerPort: Int
        public var scheme: String
        public var clientURL: String { "\(scheme)://127.0.0.1:\(clientPort)" }
    }

    /// A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, made
    /// with openssl, for members that demand client certificates (`--client-cert-auth`).
    public struct TLSFiles: Sendable {
        public var ca: String
        public var serverCert: String
        public var serverKey: String
        public var clientCert: String
        public var clientKey: String

        public static func make(in folder: String) throws -> TLSFiles {
            let script = """
            set -e
            cd '\(folder)'
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
            key ca.key
            openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj /CN=fulcrum-test-ca 2>/dev/null
            for who in server client; do
              key $who.key
              openssl req -new -key $who.key -out $who.csr -subj /CN=fulcrum-test-$who 2>/dev/null
              printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' > $who.ext
              openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $who.pem -days 2 -extfile $who.ext 2>/dev/null
            done
            """
            let result = try SystemdNodes.run("/bin/sh", ["-c", script])
            guard result.status == 0 else { throw Failure("making test certificates failed: \(result.output)") }
            return TLSFiles(ca: "\(folder)/ca.pem", serverCert: "\(folder)/server.pem", serverKey: "\(folder)/server.key",
                            clientCert: "\(folder)/client.pem", clientKey: "\(folder)/client.key")
        }
    }

    public static let executable = "/usr/bin/etcd"
    public let members: [Member]
    public let folder: String
    public let tls: TLSFiles?
    private var processes: [Int: Process] = [:]
    private let lock = NSLock()

    public var endpoints: [String] { members.map(\.clientURL) }

    /// Starts `size` members forming one cluster and waits until every one answers `/health`.
    /// With `tls`, clients must use https and present a certificate signed by the test CA.
    public static func start(size: Int, tls: Bool = false, timeout: Duration = .seconds(60)) async throws -> EtcdCluster {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure("\(executable) is missing; scripts/setup installs etcd-server")
        }
        var members: [Member] = []
        for index in 0..<size {
            members.append(Member(name: "m\(index)", clientPort: try freeLocalPort(), peerPort: try freeLocalPort(), scheme: tls ? "https" : "http"))
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-etcd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cluster = EtcdCluster(members: members, folder: folder, tls: tls ? try TLSFiles.make(in: folder) : nil)
        do {
            for index in members.indices { try cluster.startMember(index) }
            try await cluster.waitHealthy(timeout: timeout)
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    private init(members: [Member], folder: String, tls: TLSFiles?) {
        self.members = members
        self.folder = folder
        self.tls = tls
    }

    /// (Re)starts one member from its data folder.
    public func startMember(_ index: Int) throws {
        let member = members[index]
        let initialCluster = members.map { "\($0.name)=http://127.0.0.1:\($0.peerPort)" }.joined(separator: ",")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = [
            "--name", member.name, "--data-dir", "\(folder)/\(member.name)",
            "--listen-client-urls", member.clientURL, "--advertise-client-urls", member.clientURL,
            "--listen-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-advertise-peer-urls", "http://127.0.0.1:\(member.peerPort)",
            "--initial-cluster", initialCluster, "--initial-cluster-token", (folder as NSString).lastPathComponent,
            "--logger", "zap", "--log-level", "warn",
        ] + (tls.map { ["--cert-file", $0.serverCert, "--key-file", $0.serverKey, "--client-cert-auth", "--trusted-ca-file", $0.ca] } ?? [])
        let log = "\(folder)/\(member.name).log"
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        lock.withLock { processes[index] = process }
    }

    /// SIGKILL: the member host dies.
    public func kill(_ index: Int) {
        guard let process = lock.withLock({ processes.removeValue(forKey: index) }) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func signal(_ index: Int, _ signal: Int32) {
        guard let process = lock.withLock({ processes[index] }) else { return }
        Foundation.kill(process.processIdentifier, signal)
    }

    /// `etcdctl` against the cluster, with the test client certificate when TLS is on.
    public func etcdctl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let tlsArguments = tls.map { ["--cacert", $0.ca, "--cert", $0.clientCert, "--key", $0.clientKey] } ?? []
        return try SystemdNodes.run("/usr/bin/etcdctl", ["--endpoints", endpoints.joined(separator: ",")] + tlsArguments + arguments,
                                    environment: ["ETCDCTL_API": "3"])
    }

    /// `etcdctl endpoint health` against one member (with the client certificate under TLS).
    public func isHealthy(_ index: Int) async -> Bool {
        let tlsArguments = tls.map { ["--cacert", $0.ca, "--cert", $0.clientCert, "--key", $0.clientKey] } ?? []
        let arguments = ["--endpoints", members[index].clientURL] + tlsArguments + ["--command-timeout", "2s", "endpoint", "health"]
        return (try? SystemdNodes.run("/usr/bin/etcdctl", arguments, environment: ["ETCDCTL_API": "3"]).status) == 0
    }

    public func waitHealthy(_ indices: [Int]? = nil, timeout: Duration = .seconds(60)) async throws {
        for index in indices ?? Array(members.indices) {
            try await eventually("etcd member \(members[index].name) to answer /health; its log: \(log(index).suffix(2000))", timeout: timeout) {
                await isHealthy(index)
            }
        }
    }

    public func log(_ index: Int) -> String {
        (try? String(contentsOfFile: "\(folder)/\(members[index].name).log", encoding: .utf8)) ?? ""
    }

    /// Kills every member and removes the data.
    public func stop() {
        for index in members.indices {
            signal(index, SIGCONT)
            kill(index)
        }
        try? FileManager.default.removeItem(atPath: folder)
    }
}
