/// Rejects keys a decoded type does not know.
///
/// `Decodable` silently ignores unknown keys, so a typo in an optional key (`rate_end_rsp` in a
/// scenario, `kv_cache_use` in a decision request) would quietly mean something other than the
/// author intended; failing loudly is safer. Shared by every strict reader in the project.
extension Decoder {
    public func rejectUnknownKeys<Key: CodingKey>(allowed: [Key], context: String? = nil) throws {
        let container = try container(keyedBy: AnyKey.self)
        let allowedNames = allowed.map(\.stringValue)
        guard let unknown = container.allKeys.first(where: { !allowedNames.contains($0.stringValue) }) else {
            return
        }
        let suffix = context.map { " for \($0)" } ?? ""
        // The path ends at the unknown key, so a reader's error names it even at the top level
        // ("nodez is not a known key", not "the line is not valid").
        throw DecodingError.dataCorrupted(DecodingError.Context(
            codingPath: codingPath + [unknown],
            debugDescription: "is not a known key\(suffix); expected one of \(allowedNames.joined(separator: ", "))"))
    }
}

/// A coding key that accepts any name, to list the keys actually present in a mapping.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
