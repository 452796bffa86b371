import FulcrumCore

/// How a target's metric names are mapped onto worker signals.
public enum PresetChoice: Sendable, Hashable {
    /// Detect the engine on the first good scrape among the built-in presets, then keep it.
    case auto
    /// A built-in preset by name (`vllm`, `sglang`, `trtllm`).
    case named(String)
    /// A user mapping, usually with a built-in `base`.
    case custom(CustomMapping)

    /// The fixed preset this choice names; `nil` for `.auto`.
    func resolve() throws(ScrapeError.Reason) -> EnginePreset? {
        switch self {
        case .auto:
            return nil
        case .named(let name):
            guard let preset = EnginePreset.named(name) else { throw .unknownPreset(name) }
            return preset
        case .custom(let mapping):
            do {
                return try mapping.resolve()
            } catch {
                switch error {
                case .unknownBase(let name): throw .unknownPreset(name)
                }
            }
        }
    }
}

/// One worker's metrics endpoint.
public struct ScrapeTarget: Sendable, Hashable {
    public var id: WorkerID
    /// An `http://` or `https://` URL, e.g. `http://10.0.0.7:8000/metrics`.
    public var url: String
    public var preset: PresetChoice

    public init(id: WorkerID, url: String, preset: PresetChoice = .auto) {
        self.id = id
        self.url = url
        self.preset = preset
    }
}

/// A router / frontend metrics endpoint, mapped to `FrontendTelemetry`.
public struct FrontendTarget: Sendable, Hashable {
    /// A name for reports and health, e.g. `"frontend"`.
    public var name: String
    public var url: String
    public var preset: FrontendPreset

    public init(name: String, url: String, preset: FrontendPreset = .dynamo) {
        self.name = name
        self.url = url
        self.preset = preset
    }
}
