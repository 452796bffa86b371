import ServiceLifecycle

/// Runs an engine's loop, and on graceful shutdown drains it: new requests are refused (503)
/// while every accepted one runs to its last token. Listed after the HTTP server in the service
/// group, it is shut down first, so the server keeps streaming until the engine is empty.
public struct EngineService<C: Clock>: Service where C.Duration == Duration {
    public let engine: EmulatedEngine<C>

    public init(engine: EmulatedEngine<C>) {
        self.engine = engine
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await engine.run() }
            do {
                try await gracefulShutdown()
                await engine.beginDraining()
                await engine.waitUntilIdle()
            } catch {
                // Cancelled rather than shut down gracefully: stop at once.
            }
            group.cancelAll()
        }
    }
}
