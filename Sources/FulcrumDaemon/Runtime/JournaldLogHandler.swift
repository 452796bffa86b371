import CSystemd
import Foundation
import Logging

/// A swift-log handler writing to the journal with structured fields, through libsystemd's
/// `sd_journal_sendv`: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, CODE_FILE/CODE_LINE/CODE_FUNC,
/// LOGGER, and every metadata key as a field (upper-cased, anything else than A–Z, 0–9 and
/// `_` turned into `_`, and a leading digit or underscore prefixed, as journald requires).
package struct JournaldLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .info
    let label: String

    package init(label: String) {
        self.label = label
    }

    /// True when stderr is connected to the journal: systemd sets `JOURNAL_STREAM` to the
    /// stream's `device:inode`, and it counts only while stderr still is that stream (see
    /// systemd.exec(5)). A service whose stderr goes to a file, or a child that inherited the
    /// variable, writes to stderr instead.
    package static var isUnderJournal: Bool {
        guard let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        return stderrIsStream(stream)
    }

    /// Whether `device:inode` (decimal, as systemd writes them) names the file stderr is.
    package static func stderrIsStream(_ stream: String) -> Bool {
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var fields: [String] = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(Self.priority(event.level))",
            "SYSLOG_IDENTIFIER=fulcrumd",
            "LOGGER=\(label)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields.append("\(Self.fieldName(key))=\(value)")
        }
        let buffers = fields.map { Array($0.utf8) }
        buffers.withIOVecs { vectors in
            _ = sd_journal_sendv(vectors.baseAddress, Int32(vectors.count))
        }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// A valid journald field name for `key`: upper case, digits and underscores, not
    /// starting with a digit or underscore (those are reserved for trusted fields), at most 64.
    static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        if name.isEmpty || name.first == "_" || name.first!.isNumber { name = "F_" + name }
        return String(name.prefix(64))
    }
}

extension Array where Element == [UInt8] {
    /// Calls `body` with iovecs pointing at each buffer, kept alive for the call.
    func withIOVecs<R>(_ body: (UnsafeBufferPointer<iovec>) -> R) -> R {
        var vectors: [iovec] = []
        vectors.reserveCapacity(count)
        func recurse(_ index: Int) -> R {
            if index == count { return vectors.withUnsafeBufferPointer(body) }
            return self[index].withUnsafeBytes { bytes in
                vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count))
                return recurse(index + 1)
            }
        }
        return recurse(0)
    }
}
