import FulcrumCore
@testable import FulcrumSystemd
import Testing

@Suite("Failure ledger")
struct FailureLedgerTests {
    @Test("a GPU set backs off after a failure, for every role, until its delay has passed")
    func backingOff() throws {
        var ledger = FailureLedger(backoff: Backoff(initial: .seconds(5), maximum: .seconds(300)))
        let key = FailureLedger.Key(node: "node0", gpus: try GPUSet([2, 3]))
        let delay = ledger.recordFailure(key, at: Timestamp(seconds: 100))
        #expect(ledger.backingOff(at: Timestamp(seconds: 100)) == ["node0": [2, 3]])
        #expect(ledger.backingOff(at: Timestamp(seconds: 100 + delay.inSeconds + 0.001)).isEmpty)
        _ = ledger.recordFailure(key, at: Timestamp(seconds: 200))
        ledger.reset(key)
        #expect(ledger.backingOff(at: Timestamp(seconds: 200)).isEmpty)
    }
}
