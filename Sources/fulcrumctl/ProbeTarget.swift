import ArgumentParser
import Foundation
import FulcrumTelemetry

/// What `--preset` asked for. What each choice means for an exposition (which preset applies,
/// whether it was detected) is the telemetry library's rule; this file only reads the option.
typealias ProbeTarget = PresetRequest

extension PresetRequest {
    init(_ option: String) throws {
        switch option {
        case "auto":
            self = .auto
        case FrontendPreset.dynamo.name, "frontend", "dynamo":
            self = .frontend(.dynamo)
        default:
            if let preset = EnginePreset.named(option) {
                self = .engine(preset)
            } else if option.hasSuffix(".json") {
                self = .engine(try Self.customMapping(at: option))
            } else {
                let names = (["auto"] + EnginePreset.builtIn.map(\.name) + [FrontendPreset.dynamo.name]).joined(separator: ", ")
                throw ValidationError("--preset \(option.debugDescription) is unknown; use one of \(names), or a custom mapping .json file.")
            }
        }
    }

    private static func customMapping(at path: String) throws -> EnginePreset {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read the custom mapping \(path); check the path.")
        }
        do {
            return try JSONDecoder().decode(CustomMapping.self, from: data).resolve()
        } catch let error as CustomMapping.ResolutionError {
            throw ValidationError("the custom mapping \(path) is unusable: \(error); use a base of \(EnginePreset.builtIn.map(\.name).joined(separator: ", ")).")
        } catch {
            throw ValidationError("the custom mapping \(path) is not valid JSON for a mapping (\(describeDecodingError(error))); see docs/metrics-presets.md.")
        }
    }
}
