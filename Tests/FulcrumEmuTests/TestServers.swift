import AsyncHTTPClient
import Foundation
import FulcrumCore
import FulcrumSim
import FulcrumTraces
import Logging
import NIOCore
import ServiceLifecycle
import Testing
@testable import FulcrumEmu

/// A service group running in this process on a port the system chose.
struct RunningServer: Sendable {
    let port: Int
    let group: ServiceGroup
    let task: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)" }

    /// Graceful shutdown, as SIGTERM would do, and waits for it to finish.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Runs `services` and returns once the server listens.
    static func start(_ services: [any Service], port: AsyncStream<Int>, portContinuation: AsyncStream<Int>.Continuation) async throws -> RunningServer {
        let group = ServiceGroup(configuration: .init(services: services, logger: quietLogger))
        let task = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var iterator = port.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            _ = try? await task.value
            throw RequestError("the server stopped before it listened")
        }
        return RunningServer(port: bound, group: group, task: task)
    }
}

let quietLogger: Logger = {
    var logger = Logger(label: "fulcrum-emu-tests")
    logger.logLevel = .critical
    return logger
}()

enum TestCluster {
    static func worker(_ role: Role, flavor: EngineFlavor = .vllm, timeScale: Double, profile: Profile? = nil) async throws -> RunningServer {
        let configuration = WorkerConfiguration(
            role: role, flavor: flavor, listen: ListenAddress(host: "127.0.0.1", port: 0),
            profile: try profile ?? Profile.named("llama3-8b-h100"), timeScale: timeScale
        )
        let engine = EmulatedEngine(role: role, profile: configuration.profile, timeScale: timeScale, clock: ContinuousClock())
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let services = WorkerServer.services(configuration: configuration, engine: engine, logger: quietLogger) { continuation.yield($0) }
        return try await RunningServer.start(services, port: stream, portContinuation: continuation)
    }

    static func router(workers: [WorkerRegistration], workerWait: Duration = .seconds(5)) async throws -> RunningServer {
        let configuration = RouterConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0), workers: workers, workerWait: workerWait)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let services = try await RouterServer.services(configuration: configuration, logger: quietLogger) { continuation.yield($0) }.services
        return try await RunningServer.start(services, port: stream, portContinuation: continuation)
    }

    /// Runs `body` with an HTTP client that is shut down afterwards, whatever happens.
    static func withClient<T: Sendable>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = HTTPClientService.makeClient()
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func get(_ url: String, client: HTTPClient) async throws -> (status: Int, body: String) {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    static func send(_ method: String, _ url: String, json: String? = nil, client: HTTPClient) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method == "DELETE" ? .DELETE : .POST
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// `count` requests `spacing` seconds apart with the given lengths.
    static func trace(count: Int, spacing: Double, input: (Int) -> Int, output: (Int) -> Int) -> [TraceRequest] {
        (0..<count).map { TraceRequest(arrival: Double($0) * spacing, inputTokens: input($0), outputTokens: output($0)) }
    }
}
