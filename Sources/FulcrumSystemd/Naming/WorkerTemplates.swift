import FulcrumCore

/// The template unit of each role: `<prefix>@.service`, instantiated as
/// `<prefix>@<GPU set>.service`. Only units of these templates are ever touched.
public struct WorkerTemplates: Sendable, Hashable {
    public let prefill: String
    public let decode: String

    /// `prefill` and `decode` are template prefixes, e.g. `llm-prefill` for `llm-prefill@.service`.
    /// `llm-prefill@.service` and `llm-decode@.service`, the names systemd/ ships.
    public static let standard = WorkerTemplates(checked: "llm-prefill", "llm-decode")

    private init(checked prefill: String, _ decode: String) {
        self.prefill = prefill
        self.decode = decode
    }

    public init(prefill: String = "llm-prefill", decode: String = "llm-decode") throws(ActuatorError) {
        for prefix in [prefill, decode] {
            guard !prefix.isEmpty, prefix.count <= 100,
                  prefix.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics(contains: $0) || "-_:".unicodeScalars.contains($0)) }),
                  !prefix.hasPrefix("-")
            else {
                throw ActuatorError(.invalidConfiguration, "The template prefix '\(prefix)' must be letters, digits, '-', '_' or ':' (the part before '@' in llm-prefill@.service); rename the template.")
            }
        }
        guard prefill != decode else {
            throw ActuatorError(.invalidConfiguration, "The prefill and decode templates are both '\(prefill)'; give each role its own template so a unit name tells its role.")
        }
        self.prefill = prefill
        self.decode = decode
    }

    public func prefix(for role: Role) -> String { role == .prefill ? prefill : decode }

    public func role(forPrefix prefix: String) -> Role? {
        prefix == prefill ? .prefill : prefix == decode ? .decode : nil
    }

    /// The globs that list every worker unit (ListUnitsByPatterns).
    public var patterns: [String] { [prefill, decode].map { "\($0)@*.service" } }
}

private enum CharacterSet {
    static func alphanumerics(contains scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
