import Foundation
import Yams

/// Reads a YAML document into a `Decodable` type, turning every failure into a
/// `SimulationFileError` that names the file and the key.
enum YAMLConfigurationLoader {
    static func load<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SimulationFileError(source: path, key: "", problem: "cannot read the file (\(error.localizedDescription))")
        }
        return try decode(type, yaml: text, source: path)
    }

    static func decode<T: Decodable>(_ type: T.Type, yaml: String, source: String) throws -> T {
        do {
            return try YAMLDecoder().decode(type, from: yaml)
        } catch let error as DecodingError {
            throw configurationError(error, source: source)
        } catch let error as SimulationFileError {
            throw error
        } catch {
            throw SimulationFileError(source: source, key: "", problem: "not valid YAML (\(error))")
        }
    }

    static func keyPath(_ path: [any CodingKey]) -> String {
        var result = ""
        for key in path {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result
    }

    private static func configurationError(_ error: DecodingError, source: String) -> SimulationFileError {
        switch error {
        case let .keyNotFound(key, context):
            return SimulationFileError(source: source, key: keyPath(context.codingPath + [key]), problem: "missing")
        case let .typeMismatch(type, context):
            return SimulationFileError(source: source, key: keyPath(context.codingPath), problem: "expected \(describe(type)) (\(context.debugDescription))")
        case let .valueNotFound(type, context):
            return SimulationFileError(source: source, key: keyPath(context.codingPath), problem: "expected \(describe(type)), found nothing")
        case let .dataCorrupted(context):
            return SimulationFileError(source: source, key: keyPath(context.codingPath), problem: context.debugDescription)
        @unknown default:
            return SimulationFileError(source: source, key: "", problem: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is String.Type: "a string"
        default: "\(type)"
        }
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

    func requireNonNegative(_ value: Double, _ key: String) throws {
        guard value.isFinite, value >= 0 else {
            throw SimulationFileError(source: source, key: key, problem: "must be zero or more, found \(value)")
        }
    }

    func requirePositive(_ value: Int, _ key: String) throws {
        guard value > 0 else {
            throw SimulationFileError(source: source, key: key, problem: "must be a positive whole number, found \(value)")
        }
    }
}
