import Foundation
import FulcrumCore

/// Who reads a configuration file: the daemon needs everything; an embedding caller of the
/// decision interface brings its own nodes and workers, so only the controller's keys matter.
public enum ConfigurationPurpose: Sendable, Hashable {
    case daemon
    case decisionOnly
}

/// What one read of a configuration document produced.
struct DocumentReadResult {
    /// The full daemon configuration, when the document has nodes and worker templates.
    var daemon: DaemonConfiguration?
    var controller: ControllerConfiguration
    var intervals: Intervals
}

/// The controller's part of a daemon configuration file, for `fulcrum-sim decide`.
///
/// It is the daemon's schema, read by the same code: `nodes` and worker templates may be
/// left out (the caller's snapshots say which GPUs exist), everything else means what it means
/// to `fulcrumd`, and every problem is still reported at once with its line.
public struct ControllerConfigurationFile: Sendable, Hashable {
    public var controller: ControllerConfiguration
    /// `intervals.tick`: how often the caller is expected to ask.
    public var tick: Duration

    /// What `decide` runs with when given no file: the same defaults a file leaving every
    /// key out gets, with an open budget (the caller's snapshots say which GPUs exist).
    public static var standard: ControllerConfigurationFile {
        ControllerConfigurationFile(
            controller: ControllerConfiguration(
                slo: .default,
                placement: PlacementConstraints(gpusPerInstance: PerRole(repeating: 1), maxTotalGPUs: PlacementConstraints.openBudgetGPUs)
            ),
            tick: Intervals().tick
        )
    }

    public static func load(path: String) throws -> ControllerConfigurationFile {
        try parse(yaml: DaemonConfiguration.readText(path: path), source: path)
    }

    public static func parse(yaml text: String, source: String) throws -> ControllerConfigurationFile {
        let result = try DaemonConfiguration.readDocument(yaml: text, source: source, purpose: .decisionOnly)
        return ControllerConfigurationFile(controller: result.controller, tick: result.intervals.tick)
    }
}
