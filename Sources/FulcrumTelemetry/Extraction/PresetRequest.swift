import FulcrumCore

/// Which preset to read one exposition with, worker or frontend: detected, or named by the user.
/// (The scraper's `PresetChoice` is the worker-only counterpart, whose detection is pinned
/// per target.)
public enum PresetRequest: Sendable, Hashable {
    /// Detect the engine among the built-in presets; fall back to the Dynamo frontend when no
    /// engine matches (a frontend exposes no engine families, a worker may expose Dynamo's).
    case auto
    /// A built-in engine preset or one resolved from a custom mapping.
    case engine(EnginePreset)
    case frontend(FrontendPreset)

    /// Every metric name a preset this request may apply reads: the interest set to parse with.
    public var metricNames: Set<String> {
        switch self {
        case .auto:
            EnginePreset.builtIn.reduce(into: FrontendPreset.dynamo.metricNames) { $0.formUnion($1.metricNames) }
        case .engine(let preset):
            preset.metricNames
        case .frontend(let preset):
            preset.metricNames
        }
    }

    /// The preset that applies to `exposition`, or `nil` when `.auto` recognises none. A
    /// named preset always applies, whatever the exposition holds.
    public func applicablePreset(in exposition: Exposition) -> ApplicablePreset? {
        switch self {
        case .engine(let preset):
            return .engine(preset, detected: false)
        case .frontend(let preset):
            return .frontend(preset, detected: false)
        case .auto:
            if let preset = EnginePreset.detect(in: exposition) { return .engine(preset, detected: true) }
            if FrontendPreset.dynamo.isDetected(in: exposition) { return .frontend(.dynamo, detected: true) }
            return nil
        }
    }
}

/// The preset a `PresetRequest` settled on, and whether detection picked it (rather than the user).
public enum ApplicablePreset: Sendable, Hashable {
    case engine(EnginePreset, detected: Bool)
    case frontend(FrontendPreset, detected: Bool)
}

extension FrontendPreset {
    /// Whether any family in `exposition` starts with one of the detection prefixes.
    public func isDetected(in exposition: Exposition) -> Bool {
        exposition.allFamilies.contains { family in
            detectionPrefixes.contains { family.name.hasPrefix($0) }
        }
    }
}

// MARK: - Lenient extraction

// With a required signal missing a preset hands out no telemetry, yet the signals it did find
// are what someone fixing a mapping wants to see. These read them anyway; `usable` still says
// whether the controller could take the scrape, so it is for showing a mapping only.

extension EnginePreset {
    /// `extract`, except that `telemetry` holds the signals found even when the scrape is not
    /// usable (absent scalars read 0, refused ones NaN, absent histograms `nil`).
    public func extractLeniently(from exposition: Exposition, scrapedAt: Timestamp) -> WorkerExtraction {
        extract(from: exposition, scrapedAt: scrapedAt, leniently: true)
    }
}

extension FrontendPreset {
    /// `extract`, except that `telemetry` is always there: absent or refused scalars read 0,
    /// absent histograms `nil`.
    public func extractLeniently(from exposition: Exposition, scrapedAt: Timestamp) -> FrontendExtraction {
        extract(from: exposition, scrapedAt: scrapedAt, leniently: true)
    }
}
