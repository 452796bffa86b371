import Foundation

/// One HTTP/1.1 request and its reply over a Unix stream socket: blocking, within a deadline.
///
/// Written by hand rather than with AsyncHTTPClient (which fulcrumd and `fulcrumctl probe` use):
/// `fulcrumctl` makes one request per run, and the client's event-loop thread, connection pool
/// and their set-up were a quarter of the CPU `fulcrumctl status` spent (42 % less with the
/// client's code unlinked too), on the head node's busy cores, where its latency is what an
/// operator waits for (docs/performance.md, "fulcrumctl status: a client of its own"). Its one peer is
/// fulcrumd's control server, so the request is fixed (`Connection: close`) and the reply is read
/// as HTTP/1.1 allows: by Content-Length, chunked, or up to the close.
struct UnixSocketExchange {
    enum Failure: Error, Equatable {
        /// The path does not fit a Unix socket address (107 bytes).
        case pathTooLong
        /// No listener took the connection: nothing bound there, refused, or not accepted in time.
        case unreachable
        /// Connected, but no complete reply within the deadline.
        case timedOut
        /// The peer closed or reset the connection after the request was sent, before a complete reply.
        case closedEarly
        /// What came back is not an HTTP/1.1 reply.
        case malformed(String)
    }

    struct Reply: Equatable {
        var status: UInt
        var body: [UInt8]
    }

    let socketPath: String
    let timeoutSeconds: Double
    /// A local socket connects at once or not at all; a socket file left by a stopped daemon must
    /// not take the whole timeout to report.
    var connectTimeoutSeconds = 3.0
    var maximumReplyBytes = 16 << 20

    func perform(method: String, target: String, body: [UInt8]?) throws(Failure) -> Reply {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeoutSeconds * 1000))
        let descriptor = try connect()
        defer { close(descriptor) }
        try send(Self.request(method: method, target: target, body: body), to: descriptor, by: deadline)
        return try receive(from: descriptor, by: deadline)
    }

    /// The request bytes; `target` is sent as it is, already encoded (`ControlPath` encodes
    /// what an operator types).
    static func request(method: String, target: String, body: [UInt8]?) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: fulcrumd\r\nUser-Agent: fulcrumctl\r\n"
            + "Accept: application/json\r\nConnection: close\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        else if method != "GET" { head += "Content-Length: 0\r\n" }
        return Array((head + "\r\n").utf8) + (body ?? [])
    }

    private func connect() throws(Failure) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .pathTooLong }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .unreachable }
        // A listener whose backlog is full keeps a blocking connect waiting; the send timeout
        // bounds that wait on a Unix socket.
        let seconds = min(connectTimeoutSeconds, timeoutSeconds)
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0, fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) == 0 else {
            close(descriptor)
            throw .unreachable
        }
        return descriptor
    }

    private func send(_ bytes: [UInt8], to descriptor: Int32, by deadline: ContinuousClock.Instant) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            try wait(for: Int16(POLLOUT), on: descriptor, by: deadline)
            // MSG_NOSIGNAL: a peer gone mid-request is an error to report, not SIGPIPE.
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written >= 0 { offset += written } else if errno != EINTR, errno != EAGAIN { throw .unreachable }
        }
    }

    private func receive(from descriptor: Int32, by deadline: ContinuousClock.Instant) throws(Failure) -> Reply {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            if let reply = try Self.parse(received, closed: false) { return reply }
            guard received.count <= maximumReplyBytes else { throw .malformed("its reply is larger than \(maximumReplyBytes >> 20) MiB") }
            try wait(for: Int16(POLLIN), on: descriptor, by: deadline)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[..<count]
            } else if count == 0 {
                guard !received.isEmpty else { throw .closedEarly }
                guard let reply = try Self.parse(received, closed: true) else { throw .closedEarly }
                return reply
            } else if errno != EINTR, errno != EAGAIN {
                throw .closedEarly
            }
        }
    }

    /// Waits until `descriptor` is ready for `events` (or has failed: the next call says how).
    private func wait(for events: Int16, on descriptor: Int32, by deadline: ContinuousClock.Instant) throws(Failure) {
        while true {
            let left = (deadline - .now).components
            let milliseconds = left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000
            guard milliseconds > 0 else { throw .timedOut }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, Int32(clamping: milliseconds))
            if ready > 0 { return }
            if ready == 0 { throw .timedOut }
            if errno != EINTR { throw .closedEarly }
        }
    }
}

extension UnixSocketExchange {
    /// The reply in `bytes`, or nil while more must be read; `closed`: the peer has closed, so a
    /// body without a length ends where the bytes do.
    static func parse(_ bytes: [UInt8], closed: Bool) throws(Failure) -> Reply? {
        guard let headEnd = bytes.firstRange(of: crlf + crlf) else {
            if closed || bytes.count > 64 << 10 { throw .malformed("its reply has no complete HTTP header") }
            return nil
        }
        let lines = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines[0].split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), statusLine[1].count == 3, let status = UInt(statusLine[1]) else {
            throw .malformed("its reply does not start with an HTTP/1.1 status line")
        }
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("its reply has a header line without a colon") }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let rest = bytes[headEnd.upperBound...]
        if fields["transfer-encoding"]?.lowercased().contains("chunked") == true {
            return try dechunked(rest, closed: closed).map { Reply(status: status, body: $0) }
        }
        if let length = fields["content-length"] {
            guard let count = Int(length), count >= 0 else { throw .malformed("its reply's Content-Length \"\(length)\" is not a byte count") }
            guard rest.count >= count else {
                if closed { throw .closedEarly }
                return nil
            }
            return Reply(status: status, body: Array(rest.prefix(count)))
        }
        return closed ? Reply(status: status, body: Array(rest)) : nil
    }

    /// A chunked body's bytes once its last chunk has come, nil while more must be read.
    private static func dechunked(_ bytes: ArraySlice<UInt8>, closed: Bool) throws(Failure) -> [UInt8]? {
        var body: [UInt8] = []
        var position = bytes.startIndex
        while true {
            guard let lineEnd = bytes[position...].firstRange(of: crlf) else { break }
            let sizeText = String(decoding: bytes[position..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw .malformed("its chunked reply has a chunk size \"\(sizeText)\" that is not hexadecimal")
            }
            // The last chunk; its trailer section (ignored) ends the message.
            if size == 0 { return body }
            let dataEnd = lineEnd.upperBound + size
            guard bytes.endIndex >= dataEnd + 2 else { break }
            body += bytes[lineEnd.upperBound..<dataEnd]
            position = dataEnd + 2
        }
        if closed { throw .closedEarly }
        return nil
    }

    private static let crlf: [UInt8] = [13, 10]
}
