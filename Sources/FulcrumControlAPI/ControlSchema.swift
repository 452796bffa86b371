import Foundation

/// The version of the control API's JSON (docs/control-api.md), carried as `schema` in every
/// response body.
///
/// fulcrumd and fulcrumctl share these types, so a mismatch can only come from mixing builds:
/// a fulcrumctl reading a newer daemon's reply refuses it with a sentence saying so instead of
/// misreading a field. Adding an optional field keeps the version; renaming, removing or
/// changing the meaning of one bumps it.
public enum ControlSchema {
    /// 2: every key snake_case, `schema` in every body, `/v1/workers` an object,
    /// `/v1/explain` the decision-interface message under `decision`.
    public static let version = 2

    /// Why a reply written in `found` cannot be read by a client built for `version`, or nil
    /// when it can. `found` is nil for a daemon that predates the field.
    public static func incompatibility(found: Int?, endpoint: String) -> String? {
        guard let found else {
            return "fulcrumd's reply to \(endpoint) has no schema version, so it predates this fulcrumctl (control API \(version)); use the fulcrumctl installed with that fulcrumd"
        }
        guard found != version else { return nil }
        let newer = found > version ? "newer" : "older"
        return "fulcrumd speaks control API \(found), \(newer) than this fulcrumctl's \(version) (reply to \(endpoint)); use the fulcrumctl installed with that fulcrumd"
    }
}

/// The API's paths, in one place for the daemon's router and the client.
public enum ControlPath {
    public static let prefix = "/v1"
    public static let status = "/v1/status"
    public static let workers = "/v1/workers"
    public static let explain = "/v1/explain"
    public static let overrides = "/v1/overrides"
    public static let pause = "/v1/pause"
    public static let resume = "/v1/resume"
    public static let reconcile = "/v1/reconcile"
    public static let reload = "/v1/reload"
    public static let takeOver = "/v1/take-over"

    /// `POST` here drains one worker; the id is percent-encoded (`node0%2Fllm-decode%40g4.service`).
    public static func drain(_ worker: String) -> String {
        "/v1/workers/\(worker.addingPercentEncoding(withAllowedCharacters: unreserved) ?? worker)/drain"
    }

    /// `DELETE` here clears one kind of override, or every kind when `kind` is nil; the kind is
    /// percent-encoded as a worker id is, so whatever an operator types reaches the check of it.
    public static func overrides(clearing kind: String?) -> String {
        guard let kind else { return overrides }
        return "\(overrides)?kind=\(kind.addingPercentEncoding(withAllowedCharacters: unreserved) ?? kind)"
    }

    /// RFC 3986's unreserved characters: everything else in a worker id is encoded, `/` included.
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")

    /// Every endpoint, for the message that answers an unknown path.
    public static let endpoints = [
        "GET \(status)", "GET \(workers)", "GET \(explain)", "POST \(overrides)", "DELETE \(overrides)",
        "POST \(pause)", "POST \(resume)", "POST /v1/workers/{id}/drain", "POST \(reconcile)", "POST \(reload)",
        "POST \(takeOver)",
    ]
}
