import FulcrumConfiguration
import FulcrumControlAPI
import Foundation
import FulcrumCore

/// What a control-API request asks the daemon to do, after validation.
package enum ControlCommand: Sendable, Hashable {
    /// `maxWorkers`: list the workers only when there are at most this many (nil: always).
    case status(maxWorkers: Int?)
    case workers
    case explain
    case setOverride(OverrideRequest, ttlSeconds: Double?, reason: String?)
    case drain(WorkerID, reason: String?)
    case reconcile
    case reload
    /// Forget the fleet taken over; the next tick takes over what runs then.
    case takeOver(reason: String?)
}

extension ControlCommand {
    /// Whether it changes anything (and so must be attributable and answered).
    var changesState: Bool {
        switch self {
        case .status, .workers, .explain: false
        case .setOverride, .drain, .reconcile, .reload, .takeOver: true
        }
    }
}

/// A request the control API refuses: the HTTP status and one sentence saying what was wrong.
package struct ControlError: Error, Sendable, Hashable, CustomStringConvertible {
    package var status: Int
    package var message: String

    package init(status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    package var description: String { message }

    static func badRequest(_ message: String) -> ControlError { ControlError(status: 400, message) }

    /// A bounds override that would widen the configured bounds (`what` names both values).
    static func widening(_ what: String, key: String) -> ControlError {
        ControlError(status: 409, "\(what); a bounds override can only tighten the configured bounds, so change \(key) in the configuration and reload")
    }
}

/// Parses control-API requests (method, path, JSON body) into commands.
///
/// Pure and strict: unknown fields, wrong types and out-of-range values are refused with a
/// 4xx and a sentence naming the field, so nothing a client sends can reach the controller
/// half-understood.
package enum ControlRequestParser {
    package static func parse(method: String, path: String, query: [String: String] = [:], body: Data) throws(ControlError) -> ControlCommand {
        guard path.hasPrefix(ControlPath.prefix + "/") else {
            throw ControlError(status: 404, "unknown path \(path); the API lives under \(ControlPath.prefix)/ (see docs/control-api.md)")
        }
        let route = String(path.dropFirst(ControlPath.prefix.count))
        switch (method, route) {
        case ("GET", "/status"): return .status(maxWorkers: try maxWorkers(query))
        case ("GET", "/workers"): return .workers
        case ("GET", "/explain"): return .explain
        case ("POST", "/overrides"):
            return try overrideCommand(try object(body, allowed: ["kind", "prefill", "decode", "min_prefill", "min_decode", "max_prefill", "max_decode", "ttl", "reason"]))
        case ("DELETE", "/overrides"):
            let kind: OverrideKind?
            if let text = query["kind"] {
                guard let parsed = OverrideKind(rawValue: text) else {
                    throw .badRequest("query kind=\(text) is not an override kind; use one of \(OverrideKind.allCases.map(\.rawValue).joined(separator: ", ")) or omit it to clear all")
                }
                kind = parsed
            } else {
                kind = nil
            }
            return .setOverride(.clear(kind), ttlSeconds: nil, reason: nil)
        case ("POST", "/pause"):
            let fields = try object(body, allowed: ["ttl", "reason"], emptyAllowed: true)
            return .setOverride(.pause, ttlSeconds: try ttl(fields), reason: try string(fields, "reason"))
        case ("POST", "/resume"):
            _ = try object(body, allowed: [], emptyAllowed: true)
            return .setOverride(.resume, ttlSeconds: nil, reason: nil)
        case ("POST", "/reconcile"):
            _ = try object(body, allowed: [], emptyAllowed: true)
            return .reconcile
        case ("POST", "/reload"):
            _ = try object(body, allowed: [], emptyAllowed: true)
            return .reload
        case ("POST", "/take-over"):
            let fields = try object(body, allowed: ["reason"], emptyAllowed: true)
            return .takeOver(reason: try string(fields, "reason"))
        default:
            if method == "POST", route.hasPrefix("/workers/"), route.hasSuffix("/drain") {
                let encoded = String(route.dropFirst("/workers/".count).dropLast("/drain".count))
                guard let id = encoded.removingPercentEncoding, !id.isEmpty else {
                    throw .badRequest("the worker in \(path) is not a valid percent-encoded id; use NODE%2FUNIT as listed by GET /v1/workers")
                }
                let fields = try object(body, allowed: ["reason"], emptyAllowed: true)
                return .drain(WorkerID(id), reason: try string(fields, "reason"))
            }
            throw ControlError(status: 404, "no endpoint \(method) \(path); endpoints are \(ControlPath.endpoints.joined(separator: ", "))")
        }
    }

    /// `?max_workers=N` on `GET /v1/status`: a whole number from 0.
    static func maxWorkers(_ query: [String: String]) throws(ControlError) -> Int? {
        guard let text = query["max_workers"] else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw .badRequest("query max_workers=\(text) is not a whole number from 0; give the most workers to list, or omit it to list all")
        }
        return value
    }

    static func object(_ body: Data, allowed: Set<String>, emptyAllowed: Bool = false) throws(ControlError) -> [String: JSONValue] {
        if body.isEmpty || body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            if emptyAllowed { return [:] }
            throw .badRequest("the request needs a JSON object body")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(body)
        } catch {
            throw .badRequest("the body is not valid JSON (\(error)); send an object such as {\"kind\": \"ratio\", \"prefill\": 1, \"decode\": 3}")
        }
        guard case let .object(fields) = value else {
            throw .badRequest("the body must be a JSON object, not \(value.typeName)")
        }
        if let unknown = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw .badRequest("unknown field \"\(unknown)\"; allowed fields: \(allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", "))")
        }
        return fields
    }

    static func overrideCommand(_ fields: [String: JSONValue]) throws(ControlError) -> ControlCommand {
        guard let kindText = try string(fields, "kind") else {
            throw .badRequest("field \"kind\" is required: ratio, counts, bounds or pause")
        }
        let ttlSeconds = try ttl(fields)
        let reason = try string(fields, "reason")
        let request: OverrideRequest
        switch kindText {
        case "ratio":
            let prefill = try requiredCount(fields, "prefill")
            let decode = try requiredCount(fields, "decode")
            guard prefill + decode > 0, prefill <= OverrideLimits.ratioPart, decode <= OverrideLimits.ratioPart else {
                throw .badRequest("a ratio needs prefill and decode from 0 to \(OverrideLimits.ratioPart), not both 0")
            }
            request = .ratio(InstanceRatio(prefill: prefill, decode: decode))
        case "counts":
            request = .counts(PerRole(prefill: try requiredCount(fields, "prefill"), decode: try requiredCount(fields, "decode")))
        case "bounds":
            let bounds = RoleBounds(
                min: PerRole(prefill: try count(fields, "min_prefill"), decode: try count(fields, "min_decode")),
                max: PerRole(prefill: try count(fields, "max_prefill"), decode: try count(fields, "max_decode"))
            )
            guard bounds != RoleBounds() else {
                throw .badRequest("a bounds override needs at least one of min_prefill, min_decode, max_prefill, max_decode")
            }
            for role in Role.allCases {
                if let low = bounds.min[role], let high = bounds.max[role], low > high {
                    throw .badRequest("min_\(role) (\(low)) is above max_\(role) (\(high))")
                }
            }
            request = .bounds(bounds)
        case "pause":
            request = .pause
        default:
            throw .badRequest("field \"kind\" is \"\(kindText)\"; use ratio, counts, bounds or pause")
        }
        let allowedByKind: [String: Set<String>] = [
            "ratio": ["kind", "prefill", "decode", "ttl", "reason"],
            "counts": ["kind", "prefill", "decode", "ttl", "reason"],
            "bounds": ["kind", "min_prefill", "min_decode", "max_prefill", "max_decode", "ttl", "reason"],
            "pause": ["kind", "ttl", "reason"],
        ]
        if let stray = fields.keys.sorted().first(where: { !(allowedByKind[kindText]?.contains($0) ?? false) }) {
            throw .badRequest("field \"\(stray)\" does not apply to a \(kindText) override")
        }
        return .setOverride(request, ttlSeconds: ttlSeconds, reason: reason)
    }

    static func string(_ fields: [String: JSONValue], _ name: String) throws(ControlError) -> String? {
        guard let value = fields[name] else { return nil }
        guard case let .string(text) = value else { throw .badRequest("field \"\(name)\" must be a string, not \(value.typeName)") }
        guard text.count <= 1024 else { throw .badRequest("field \"\(name)\" is longer than 1024 characters") }
        return text
    }

    static func requiredCount(_ fields: [String: JSONValue], _ name: String) throws(ControlError) -> Int {
        guard let value = try count(fields, name) else { throw .badRequest("field \"\(name)\" is required: a whole number of instances") }
        return value
    }

    static func count(_ fields: [String: JSONValue], _ name: String) throws(ControlError) -> Int? {
        guard let value = fields[name] else { return nil }
        let expected = "field \"\(name)\" must be a whole number of instances from 0 to \(OverrideLimits.instances)"
        guard case let .number(number) = value else { throw .badRequest("\(expected), not \(value.typeName)") }
        guard number == number.rounded(), number >= 0, number <= Double(OverrideLimits.instances) else {
            throw .badRequest("\(expected), not \(String(format: "%g", number))")
        }
        return Int(number)
    }

    /// A TTL as seconds (number) or a duration string (`30m`).
    static func ttl(_ fields: [String: JSONValue]) throws(ControlError) -> Double? {
        guard let value = fields["ttl"] else { return nil }
        let seconds: Double?
        switch value {
        case let .number(number): seconds = number
        case let .string(text): seconds = ConfigurationReader.parseDuration(text)
        default: seconds = nil
        }
        guard let seconds, seconds > 0, seconds <= 30 * 86_400 else {
            throw .badRequest("field \"ttl\" must be a positive duration up to 30 days in ms, s, m or h, such as \"30m\", \"48h\" (2 days) or 1800")
        }
        return seconds
    }
}
