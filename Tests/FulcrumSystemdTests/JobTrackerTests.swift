@testable import FulcrumSystemd
import Testing

@Suite struct JobTrackerTests {
    private func outcome(_ index: Int) -> JobOutcome {
        JobOutcome(path: "/org/freedesktop/systemd1/job/\(index)", unit: "llm-decode@g\(index).service", result: "done")
    }

    @Test func anOutcomeThatArrivesBeforeTheWaiterIsKeptForIt() async throws {
        let tracker = JobTracker()
        tracker.expect(outcome(1).path)
        tracker.removed(outcome(1))
        #expect(tracker.retainedCount == 1)
        #expect(try await tracker.wait(for: outcome(1).path) == outcome(1))
        #expect(tracker.retainedCount == 0)
    }

    @Test func outcomesNobodyCollectsAreCapped() async throws {
        let tracker = JobTracker(retainedOutcomes: 16)
        for index in 0..<1_000 {
            tracker.expect(outcome(index).path)
            tracker.removed(outcome(index))
        }
        #expect(tracker.retainedCount == 16)
        // The newest are the ones kept.
        #expect(try await tracker.wait(for: outcome(999).path) == outcome(999))
        #expect(tracker.retainedCount == 15)
    }

    @Test func aCancelledWaiterLeavesNothingBehind() async throws {
        let tracker = JobTracker()
        let path = outcome(7).path
        tracker.expect(path)
        let waiter = Task { try await tracker.wait(for: path) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        tracker.removed(outcome(7))
        #expect(tracker.retainedCount == 0)
    }

    @Test func jobsOfOthersAreIgnored() {
        let tracker = JobTracker()
        tracker.removed(outcome(3))
        #expect(tracker.retainedCount == 0)
    }
}
