import Dispatch
import Synchronization

/// Runs independent jobs on up to `width` threads and returns their outputs in the jobs'
/// order, whatever order they finished in. The first failing job (in job order) is rethrown.
public enum ParallelRunner {
    public static func map<Job: Sendable, Output: Sendable>(
        _ jobs: [Job],
        width: Int,
        _ body: @Sendable (Job) throws -> Output
    ) throws -> [Output] {
        let next = Atomic<Int>(0)
        let slots = Mutex<[Result<Output, any Error>?]>(Array(repeating: nil, count: jobs.count))
        DispatchQueue.concurrentPerform(iterations: max(1, min(width, jobs.count))) { _ in
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < jobs.count else { return }
                let result = Result { try body(jobs[index]) }
                slots.withLock { $0[index] = result }
            }
        }
        return try slots.withLock { $0 }.map { slot in
            guard let slot else { preconditionFailure("every job index below the count was taken by a worker") }
            return try slot.get()
        }
    }
}
