import FulcrumFileInput
import Yams

/// Reads a YAML document into a `Decodable` type, turning every failure into a
/// `SimulationFileError` that names the file and the key.
enum YAMLConfigurationLoader {
    /// `retiredKeys`: top-level keys older files carry that no longer mean anything; accepted
    /// and ignored so those files keep loading.
    static func load<T: Codable>(_ type: T.Type, path: String, retiredKeys: Set<String> = []) throws -> T {
        let text: String
        do {
            text = try InputFile.text(at: path)
        } catch {
            throw SimulationFileError(source: path, key: "", problem: "the file cannot be read because \(error.reason)")
        }
        return try decode(type, yaml: text, source: path, retiredKeys: retiredKeys)
    }

    static func decode<T: Codable>(_ type: T.Type, yaml: String, source: String, retiredKeys: Set<String> = []) throws -> T {
        do {
            let value = try YAMLDecoder().decode(type, from: yaml)
            try rejectUnknownKeys(in: yaml, decodedAs: value, source: source, retiredKeys: retiredKeys)
            return value
        } catch let error as DecodingError {
            throw SimulationFileError(DecodingProblem(error), source: source)
        } catch let error as YamlError {
            throw SimulationFileError(DecodingProblem(error), source: source)
        } catch let error as SimulationFileError {
            throw error
        } catch {
            throw SimulationFileError(source: source, key: "", problem: "the document cannot be read as YAML (\(error))")
        }
    }

    /// `Decodable` ignores keys it does not know, so a misspelt key (`max_bacth`) would quietly
    /// leave its default in place. Every key the file gives must come back when the decoded
    /// value is encoded again; the first that does not is named, with what is allowed there.
    /// (Checked this way, every type read here is covered without a hand-written decoder.)
    private static func rejectUnknownKeys<T: Encodable>(in yaml: String, decodedAs value: T, source: String, retiredKeys: Set<String>) throws {
        guard var given = try Yams.compose(yaml: yaml), let known = try Yams.compose(yaml: YAMLEncoder().encode(value)) else { return }
        if case var .mapping(top) = given {
            for key in retiredKeys { top[key] = nil }
            given = .mapping(top)
        }
        if let (path, key, allowed) = firstUnknownKey(given, known, path: "") {
            let suggestion = KeySuggestion.didYouMean(key, among: allowed)
            throw SimulationFileError(source: source, key: path, problem: "is not a known key\(suggestion); allowed here: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private static func firstUnknownKey(_ given: Node, _ known: Node, path: String) -> (path: String, key: String, allowed: [String])? {
        switch (given, known) {
        case let (.mapping(givenMapping), .mapping(knownMapping)):
            let allowed: [String] = Array(knownMapping.keys.compactMap(\.string))
            for (keyNode, child) in givenMapping {
                guard let key = keyNode.string else { continue }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let knownChild = knownMapping[keyNode] else { return (childPath, key, allowed) }
                if let found = firstUnknownKey(child, knownChild, path: childPath) { return found }
            }
        case let (.sequence(givenItems), .sequence(knownItems)):
            for (index, (item, knownItem)) in zip(givenItems, knownItems).enumerated() {
                if let found = firstUnknownKey(item, knownItem, path: "\(path)[\(index)]") { return found }
            }
        default:
            break
        }
        return nil
    }
}

/// Collects the first invalid value of a decoded configuration.
struct ConfigurationValidator {
    var source: String

    func requirePositive(_ value: Double, _ key: String) throws {
        guard value.isFinite, value > 0 else {
            throw SimulationFileError(source: source, key: key, problem: "must be a positive number, found \(value)")
        }
    }

    /// Within `range`: upper bounds catch a `1e300` or an `Int.max` typed for a rate or a size,
    /// which would otherwise trap in a conversion or stall a run.
    func require(_ value: Double, within range: ClosedRange<Double>, _ key: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw SimulationFileError(source: source, key: key, problem: "must be a number from \(range.lowerBound) to \(range.upperBound), found \(value)")
        }
    }

    func require(_ value: Int, within range: ClosedRange<Int>, _ key: String) throws {
        guard range.contains(value) else {
            throw SimulationFileError(source: source, key: key, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound), found \(value)")
        }
    }
}
