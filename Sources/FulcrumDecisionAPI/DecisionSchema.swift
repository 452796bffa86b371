/// The version of the JSON-lines decision interface this build speaks (docs/decision-api.md).
///
/// Every request names the version it was written for and every reply carries the version it
/// was written in, so a caller pinned to version 1 gets a clear error from a build that has
/// moved on instead of silently misread fields. Adding an optional field keeps the version;
/// renaming, removing or changing the meaning of one bumps it.
public enum DecisionSchema {
    public static let version = 1
}
