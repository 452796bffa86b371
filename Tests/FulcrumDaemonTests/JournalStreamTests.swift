import Foundation
@testable import FulcrumDaemon
import Testing

@Suite("Journal stream detection")
struct JournalStreamTests {
    @Test("Logs go to the journal only while stderr is the stream JOURNAL_STREAM names")
    func stderrMustBeTheNamedStream() {
        var status = stat()
        #expect(fstat(STDERR_FILENO, &status) == 0)
        #expect(JournaldLogHandler.stderrIsStream("\(status.st_dev):\(status.st_ino)"))
        #expect(!JournaldLogHandler.stderrIsStream("\(status.st_dev):\(status.st_ino &+ 1)"))
        #expect(!JournaldLogHandler.stderrIsStream("not-a-stream"))
        #expect(!JournaldLogHandler.stderrIsStream(""))
    }
}
