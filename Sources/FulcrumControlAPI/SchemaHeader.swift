/// The one field every control-API body starts with; read first so a reply from another
/// version is refused with a sentence before any other field is decoded.
public struct SchemaHeader: Sendable, Hashable, Codable {
    public var schema: Int?

    public init(schema: Int? = ControlSchema.version) {
        self.schema = schema
    }
}
