import FulcrumFileInput
import Yams

/// Reads a YAML document into a `Decodable` type, turning every failure into a
/// `SimulationFileError` that names the file and the key.
enum YAMLConfigurationLoader {
    static func load<T: Decodable>(_ type: T.Type, path: String) throws -> T {
        let text: String
        do {
            text = try InputFile.text(at: path)
        } catch {
            throw SimulationFileError(source: path, key: "", problem: "the file cannot be read because \(error.reason)")
        }
        return try decode(type, yaml: text, source: path)
    }

    static func decode<T: Decodable>(_ type: T.Type, yaml: String, source: String) throws -> T {
        do {
            return try YAMLDecoder().decode(type, from: yaml)
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
