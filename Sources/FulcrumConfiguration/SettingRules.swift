import FulcrumCore

/// The limits a controller setting must respect, whoever supplies it: a configuration file
/// key (`ConfigurationReader`) or a `fulcrum-sim decide` flag. Each surface words its own
/// message (keys and lines there, flag names here); the limits themselves live only here.
public enum SettingRules {
    public static let sloPercentile: ClosedRange<Double> = 0.5...0.9999
    public static let maxGPUs: ClosedRange<Int> = 1...PlacementConstraints.openBudgetGPUs
    public static let minGPUs: ClosedRange<Int> = 0...PlacementConstraints.openBudgetGPUs
    /// GPU indices on one node (a node of more than 1,024 GPUs does not exist).
    public static let gpuIndices: ClosedRange<Int> = 0...1023

    /// The longest duration any setting takes: about 31 years. Found by fuzzing: `1e300s`
    /// passed as positive and finite, and turning it into a `Duration` trapped.
    public static let longestDurationSeconds = 1e9

    public static func isDuration(_ seconds: Double, allowZero: Bool = false) -> Bool {
        seconds.isFinite && (seconds > 0 || (allowZero && seconds == 0)) && seconds <= longestDurationSeconds
    }

    /// Two budget settings that cannot both hold.
    public enum BudgetConflict: Sendable, Hashable {
        /// The floor on total GPUs is above the budget.
        case minimumAboveBudget(minGPUs: Int, maxGPUs: Int)
        /// One instance of each role at its minimum count needs more GPUs than the budget.
        case roleMinimumsAboveBudget(neededGPUs: Int, maxGPUs: Int)
    }

    public static func budgetConflicts(of controller: ControllerConfiguration) -> [BudgetConflict] {
        let maxGPUs = controller.placement.maxTotalGPUs
        var conflicts: [BudgetConflict] = []
        if controller.minTotalGPUs > maxGPUs {
            conflicts.append(.minimumAboveBudget(minGPUs: controller.minTotalGPUs, maxGPUs: maxGPUs))
        }
        let needed = Role.allCases.reduce(0) { $0 + controller.minInstances[$1] * controller.placement.gpusPerInstance[$1] }
        if needed > maxGPUs {
            conflicts.append(.roleMinimumsAboveBudget(neededGPUs: needed, maxGPUs: maxGPUs))
        }
        return conflicts
    }
}
