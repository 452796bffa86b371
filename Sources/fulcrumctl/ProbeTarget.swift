import ArgumentParser
import Foundation
import FulcrumTelemetry

/// What `--preset` asked for.
enum ProbeTarget {
    /// Detect the engine; fall back to the Dynamo frontend when no engine matches.
    case auto
    case worker(EnginePreset)
    case frontend(FrontendPreset)

    init(_ option: String) throws {
        switch option {
        case "auto":
            self = .auto
        case FrontendPreset.dynamo.name, "frontend", "dynamo":
            self = .frontend(.dynamo)
        default:
            if let preset = EnginePreset.named(option) {
                self = .worker(preset)
            } else if option.hasSuffix(".json") {
                self = .worker(try Self.customMapping(at: option))
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
            throw ValidationError("the custom mapping \(path) is unusable: \(error); use a base of vllm, sglang or trtllm.")
        } catch {
            throw ValidationError("the custom mapping \(path) is not valid JSON for a mapping (\(error)); see docs/metrics-presets.md.")
        }
    }
}
