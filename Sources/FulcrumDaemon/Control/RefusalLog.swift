import Logging
import Synchronization

/// Text a client sent, made safe for one log line: control characters escaped (a `%0A` in a
/// path must not write a forged line into the journal) and the length capped (a 60 KB path must
/// not make a 60 KB line).
package enum ClientText {
    package static func loggable(_ text: String, limit: Int = 200) -> String {
        var escaped = ""
        var count = 0
        for scalar in text.unicodeScalars {
            guard count < limit else {
                return escaped + "…(\(text.unicodeScalars.count - count) more characters)"
            }
            switch scalar.value {
            case 0x0A: escaped += "\\n"
            case 0x0D: escaped += "\\r"
            case 0x09: escaped += "\\t"
            case 0x5C: escaped += "\\\\"
            case 0..<0x20, 0x7F, 0x80..<0xA0, 0x2028, 0x2029:
                escaped += "\\u{\(String(scalar.value, radix: 16))}"
            default: escaped.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return escaped
    }
}

/// Logs refused control requests, at most `burst` lines per `window`; the rest are counted and
/// reported with the next line that is logged (the metric keeps the full count). A client
/// hammering the socket with bad requests must not flood the journal.
package final class RefusalLog: Sendable {
    private struct Window {
        var start: ContinuousClock.Instant
        var logged = 0
        var suppressed = 0
    }

    private let logger: Logger
    private let burst: Int
    private let window: Duration
    private let state: Mutex<Window>

    package init(logger: Logger, burst: Int = 10, window: Duration = .seconds(60)) {
        self.logger = logger
        self.burst = burst
        self.window = window
        state = Mutex(Window(start: .now))
    }

    /// Logs one refusal (already made loggable), unless this window's burst is spent.
    package func refused(_ message: String, metadata: Logger.Metadata, at now: ContinuousClock.Instant = .now) {
        let suppressedBefore: Int? = state.withLock { current in
            if now - current.start >= window {
                let suppressed = current.suppressed
                current = Window(start: now)
                current.logged = 1
                return suppressed
            }
            guard current.logged < burst else {
                current.suppressed += 1
                return nil
            }
            current.logged += 1
            return 0
        }
        guard let suppressedBefore else { return }
        var metadata = metadata
        if suppressedBefore > 0 { metadata["suppressed_since_last"] = "\(suppressedBefore)" }
        logger.notice("\(message)", metadata: metadata)
    }
}
