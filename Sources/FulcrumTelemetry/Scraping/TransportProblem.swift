import NIOCore
import NIOPosix
import NIOSSL

/// A transport error as a user reads it: the errno text of a socket error ("connection
/// refused") or "the host name does not resolve", rather than NIO's debug dump. One owner for
/// the scraper and for fulcrum-emu's clients and listeners.
public enum TransportProblem {
    public static func describe(_ error: any Error) -> String {
        if error is NIOSSLError || error is BoringSSLError { return ScrapeError.Reason.tlsPrefix + "\(error)" }
        if let connection = error as? NIOConnectionError, connection.dnsAError != nil || connection.dnsAAAAError != nil {
            return "the host name does not resolve"
        }
        let text = String(describing: error)
        for known in ["Connection refused", "No route to host", "Network is unreachable", "Connection reset by peer", "Host is down",
                      "Address already in use", "Cannot assign requested address", "Permission denied"]
        where text.contains(known) {
            return known.lowercased()
        }
        if let error = error as? IOError { return error.description }
        return text
    }
}
