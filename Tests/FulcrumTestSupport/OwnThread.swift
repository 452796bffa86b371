import Foundation

/// Runs blocking work (raw socket calls, a synchronous fuzz entry that waits on async work) on a
/// thread of its own and awaits its result: blocked on Swift's cooperative pool (two threads on a
/// 2-core machine) it would stall every other test's async work.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
