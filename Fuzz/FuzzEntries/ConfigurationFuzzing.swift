import FulcrumConfiguration

/// The configuration reader: YAML text → a configuration or a list of problems, as the daemon
/// and `decide` read it.
public func fuzzConfiguration(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? DaemonConfiguration.parse(yaml: text, source: "fuzz.yaml")
    _ = try? ControllerConfigurationFile.parse(yaml: text, source: "fuzz.yaml")
}
