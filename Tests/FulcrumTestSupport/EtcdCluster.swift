import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Real etcd members (Debian's etcd-server) on loopback ports, each with its own data folder
/// under a temporary directory, for the coordination tests. Members can be killed, paused and
/// started again from their data, as a member host failing or coming back.
public final class EtcdCluster: @unchecked Sendable {
    public struct Member {
        public var name: String
        public var clientPort: Int
        public var peerPort: Int
        public var clientURL: String { "http://127.0.0.1:\(clientPort)" }
    }

    public static let executable = "/usr/bin/etcd"
    public let members: [Member]
    public let folder: String
    private var processes: [Int: Process] = [:]
    private let lock = NSLock()

    public var endpoints: [String] { members.map(\.clientURL) }

    /// Starts `size` members forming one cluster and waits until every one answers `/health`.
    public static func start(size: Int, timeout: Duration = .seconds(60)) async throws -> EtcdCluster {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure("\(executable) is missing; scripts/setup installs etcd-server")
        }
        var members: [Member] = []
        for index in 0..<size {
            members.append(Member(name: "m\(index)", clientPort: try freeLocalPort(), peerPort: try freeLocalPort()))
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-etcd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cluster = EtcdCluster(members: members, folder: folder)
        do {
            for index in members.indices { try cluster.startMember(index) }
            try await cluster.waitHealthy(timeout: timeout)
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    private init(members: [Member], folder: String) {
        self.members = members
        self.folder = folder
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
        ]
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

    public func isHealthy(_ index: Int) async -> Bool {
        guard let url = URL(string: "\(members[index].clientURL)/health") else { return false }
        var request = URLRequest(url: url)
        request.timeoutInterval = 2
        guard let (data, _) = try? await URLSession.shared.data(for: request) else { return false }
        return String(decoding: data, as: UTF8.self).contains("\"health\":\"true\"")
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
