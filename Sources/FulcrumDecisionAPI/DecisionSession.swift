import Foundation
import FulcrumCore

/// One caller's conversation with the controller: request lines in, reply lines out, with the
/// controller's memory (smoothed rates, learned capacities, stabilisation history) carried from
/// one line to the next exactly as in the daemon.
///
/// A refused line changes nothing: the next good line is decided as if the bad one never came.
public struct DecisionSession: Sendable {
    public private(set) var controller: Controller
    /// Lines read so far, for error replies.
    public private(set) var lineNumber = 0
    private var lastTime: Double?
    /// When each listed worker was first seen, for workers sent without `started_at`.
    private var firstSeen: [String: Double] = [:]
    /// Seconds between decisions the caller is told to keep (`next_decision_s`).
    public let tickSeconds: Double

    public init(configuration: ControllerConfiguration, tickSeconds: Double = 10) {
        controller = Controller(configuration: configuration)
        self.tickSeconds = tickSeconds
    }

    /// Decides one decoded request.
    public mutating func decide(_ message: SnapshotMessage) throws(DecisionRequestError) -> DecisionMessage {
        let (snapshot, overrides) = try message.coreInput(firstSeen: firstSeen)
        if let lastTime, message.time < lastTime {
            throw DecisionRequestError(field: "time", "is \(message.time), before the previous line's \(lastTime); time must not go backwards within one session")
        }
        lastTime = message.time
        firstSeen = Dictionary(uniqueKeysWithValues: message.workers.map { ($0.id, firstSeen[$0.id] ?? message.time) })
        return DecisionMessage(controller.decide(snapshot, overrides: overrides), nextDecisionSeconds: tickSeconds)
    }

    /// Answers one request line with one reply line (no newline), or `nil` for a blank line.
    public mutating func respond(to line: some StringProtocol) -> String? {
        lineNumber += 1
        guard line.contains(where: { !$0.isWhitespace }) else { return nil }
        do {
            let message: SnapshotMessage
            do {
                message = try JSONDecoder().decode(SnapshotMessage.self, from: Data(line.utf8))
            } catch let error as DecodingError {
                throw DecisionRequestError(decoding: error)
            } catch {
                throw DecisionRequestError(field: "", "The line could not be read: \(error)")
            }
            return Self.encode(try decide(message))
        } catch let error as DecisionRequestError {
            return Self.encode(ErrorReply(line: lineNumber, error: error))
        } catch {
            return Self.encode(ErrorReply(line: lineNumber, error: DecisionRequestError(field: "", "\(error)")))
        }
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        // Sorted keys keep replies byte-identical for identical decisions, so callers can diff them.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            // Every number in a reply is checked finite before encoding; reaching here is a bug,
            // and the caller still gets a well-formed line instead of silence.
            return #"{"error":{"field":"","line":0,"message":"fulcrum-sim could not encode its reply; please report this as a bug."},"schema":1}"#
        }
    }
}

/// The reply to a refused line.
public struct ErrorReply: Sendable, Hashable, Codable {
    public var schema: Int
    public var error: Detail

    public struct Detail: Sendable, Hashable, Codable {
        /// 1-based number of the refused line in this session.
        public var line: Int
        public var field: String
        public var message: String
    }

    public init(line: Int, error: DecisionRequestError) {
        schema = DecisionSchema.version
        self.error = Detail(line: line, field: error.field, message: error.message)
    }
}
