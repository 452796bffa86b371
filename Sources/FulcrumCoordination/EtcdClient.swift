import AsyncHTTPClient
import Foundation
import FulcrumConfiguration
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// etcd's v3 API through its JSON gateway, over AsyncHTTPClient.
///
/// Written by hand because the Swift etcd clients in reach speak gRPC, which would bring a
/// second HTTP/2 and protobuf stack into the daemon for six calls; the gateway is part of
/// every etcd since 3.4 and carries the same semantics (leases, transactions, revisions).
/// Endpoints are tried in order; the last one that answered is asked first next time.
public final class EtcdClient: Sendable {
    public let endpoints: [String]
    private let httpClient: HTTPClient
    private let credentials: (username: String, password: String)?
    private let requestTimeout: TimeAmount
    private let token = Mutex<String?>(nil)
    private let preferred = Mutex(0)

    /// `requestTimeout` bounds each call to one endpoint; a call tries every endpoint once.
    public init(_ configuration: CoordinationConfiguration, requestTimeout: Duration) throws(EtcdError) {
        endpoints = configuration.endpoints
        self.requestTimeout = TimeAmount(requestTimeout)
        var http = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: self.requestTimeout))
        http.tlsConfiguration = try Self.tlsConfiguration(configuration.tls)
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        if let given = configuration.credentials {
            do {
                let password = try String(contentsOfFile: given.passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                credentials = (given.username, password)
            } catch {
                try? httpClient.syncShutdown()
                throw EtcdError(.refused, "The etcd password file \(given.passwordFile) cannot be read (\(error.localizedDescription)); check coordination.etcd.password_file.")
            }
        } else {
            credentials = nil
        }
    }

    public func shutdown() async {
        try? await httpClient.shutdown()
    }

    private static func tlsConfiguration(_ tls: EtcdTLSConfiguration?) throws(EtcdError) -> TLSConfiguration? {
        guard let tls else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = tls.caFile { configuration.trustRoots = .file(ca) }
            if let cert = tls.certFile, let key = tls.keyFile {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
        } catch {
            throw EtcdError(.refused, "The etcd client certificate or key could not be loaded (\(error)); check coordination.etcd.tls.cert_file and key_file (PEM).")
        }
        return configuration
    }

    // MARK: Leases

    /// A new lease of `ttlSeconds`; returns its ID and the TTL etcd granted.
    public func grantLease(ttlSeconds: Int) async throws(EtcdError) -> (id: Int64, ttlSeconds: Int) {
        let reply: LeaseGrantResponse = try await call("/v3/lease/grant", LeaseGrantRequest(TTL: EtcdInt(Int64(ttlSeconds))))
        guard let id = reply.ID?.value, id != 0 else { throw EtcdError(.badResponse, "etcd granted a lease without an ID; is this an etcd v3 endpoint?") }
        return (id, Int(reply.TTL?.value ?? Int64(ttlSeconds)))
    }

    /// Renews the lease; returns the seconds it now has left, 0 when it is gone (expired or revoked).
    public func keepAlive(lease: Int64) async throws(EtcdError) -> Int {
        let reply: LeaseKeepAliveResponse = try await call("/v3/lease/keepalive", LeaseIDRequest(ID: EtcdInt(lease)))
        return Int(reply.result?.TTL?.value ?? 0)
    }

    /// Ends the lease now; every key attached to it is deleted.
    public func revoke(lease: Int64) async throws(EtcdError) {
        let _: EmptyResponse = try await call("/v3/lease/revoke", LeaseIDRequest(ID: EtcdInt(lease)))
    }

    // MARK: Keys

    public func get(_ key: String) async throws(EtcdError) -> EtcdKeyValue? {
        let reply: RangeResponse = try await call("/v3/kv/range", RangeRequest(key: EtcdBytes(key)))
        return reply.kvs?.first?.keyValue
    }

    public func put(_ key: String, _ value: Data, lease: Int64? = nil) async throws(EtcdError) {
        let _: EmptyResponse = try await call("/v3/kv/put", PutRequest(key: EtcdBytes(key), value: EtcdBytes(data: value), lease: lease.map(EtcdInt.init)))
    }

    public func delete(_ key: String) async throws(EtcdError) {
        let _: EmptyResponse = try await call("/v3/kv/deleterange", DeleteRangeRequest(key: EtcdBytes(key)))
    }

    /// If every compare holds, runs `success`, else `failure`; atomically.
    public func txn(if compare: [EtcdCompare], then success: [EtcdOperation], else failure: [EtcdOperation] = []) async throws(EtcdError) -> EtcdTxnResult {
        let reply: TxnResponse = try await call("/v3/kv/txn", TxnRequest(compare: compare, success: success, failure: failure))
        return EtcdTxnResult(
            succeeded: reply.succeeded ?? false, revision: reply.header?.revision?.value ?? 0,
            ranges: (reply.responses ?? []).compactMap { $0.responseRange.map { ($0.kvs ?? []).map(\.keyValue) } }
        )
    }

    // MARK: Transport

    /// Posts `body` to `path` on the first endpoint that answers, authenticating when etcd asks.
    private func call<Body: Encodable, Reply: Decodable>(_ path: String, _ body: Body) async throws(EtcdError) -> Reply {
        let payload: Data
        do { payload = try JSONEncoder().encode(body) } catch { throw EtcdError(.badResponse, "encoding \(path) failed: \(error)") }
        if credentials != nil, token.withLock({ $0 }) == nil { try await authenticate() }
        do {
            return try decode(path, try await post(path, payload))
        } catch let error where error.kind == .refused && credentials != nil && error.message.contains("auth token") {
            // Simple tokens expire after a few idle minutes; one fresh token, one retry.
            try await authenticate()
            return try decode(path, try await post(path, payload))
        }
    }

    private func authenticate() async throws(EtcdError) {
        guard let credentials else { return }
        token.withLock { $0 = nil }
        let payload = (try? JSONEncoder().encode(AuthenticateRequest(name: credentials.username, password: credentials.password))) ?? Data()
        let reply: AuthenticateResponse = try decode("/v3/auth/authenticate", try await post("/v3/auth/authenticate", payload))
        guard let value = reply.token else {
            throw EtcdError(.refused, "etcd accepted user \(credentials.username) but gave no token; is authentication enabled on the cluster (etcdctl auth enable)?")
        }
        token.withLock { $0 = value }
    }

    private func decode<Reply: Decodable>(_ path: String, _ body: Data) throws(EtcdError) -> Reply {
        do { return try JSONDecoder().decode(Reply.self, from: body) } catch {
            throw EtcdError(.badResponse, "etcd's answer to \(path) was not understood (\(error)); is the endpoint an etcd 3.4+ client URL?")
        }
    }

    /// The raw answer from the first endpoint that gives one.
    private func post(_ path: String, _ payload: Data) async throws(EtcdError) -> Data {
        let first = preferred.withLock { $0 }
        var failures: [String] = []
        for offset in endpoints.indices {
            let index = (first + offset) % endpoints.count
            do {
                let body = try await post(path, payload, to: endpoints[index])
                if index != first { preferred.withLock { $0 = index } }
                return body
            } catch let error as EtcdError where error.kind == .refused {
                throw error
            } catch {
                failures.append("\(endpoints[index]): \(error)")
            }
        }
        throw EtcdError(.unreachable, "No etcd endpoint answered \(path) (\(failures.joined(separator: "; "))); check that etcd runs and that coordination.etcd.endpoints names its client URLs.")
    }

    /// gRPC codes that another member may not share: Unavailable (no leader, stopping) and
    /// DeadlineExceeded (a member cut off from the quorum times out).
    private static let tryAnotherMember: Set<Int> = [4, 14]

    private func post(_ path: String, _ payload: Data, to endpoint: String) async throws -> Data {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token = token.withLock({ $0 }) { request.headers.add(name: "Authorization", value: token) }
        request.body = .bytes(ByteBuffer(bytes: payload))
        let response = try await httpClient.execute(request, timeout: requestTimeout)
        let body = Data(try await response.body.collect(upTo: 4 << 20).readableBytesView)
        guard response.status == .ok else {
            let error = try? JSONDecoder().decode(GatewayError.self, from: body)
            let message = error?.message ?? error?.error ?? String(decoding: body.prefix(200), as: UTF8.self)
            if let code = error?.code, Self.tryAnotherMember.contains(code) {
                throw EtcdError(.unreachable, "HTTP \(response.status.code): \(message)")
            }
            throw EtcdError(.refused, "etcd at \(endpoint) refused \(path) (HTTP \(response.status.code): \(message)); check coordination.etcd (credentials, permissions on the prefix).")
        }
        return body
    }
}
