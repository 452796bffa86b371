import FulcrumCore
import Yams

/// `slo`, `budget`, `stabilisation`, `estimation` and `priors`: the decision core's
/// configuration, the part `fulcrum-sim decide` reads too.
extension DaemonConfiguration {
    static func readController(_ top: [String: Node], nodes: [ConfiguredNode], gpusPerInstance: PerRole<Int>, forDaemon: Bool,
                               reader: inout ConfigurationReader) -> ControllerConfiguration {
        let slo = readSLO(top["slo"], reader: &reader)
        // Without nodes (decide), the snapshot's nodes bound the cluster; the budget is open.
        let listedGPUs = nodes.reduce(0) { $0 + $1.gpus.count }
        let budget = readBudget(top["budget"], listedGPUs: listedGPUs, open: nodes.isEmpty && !forDaemon, reader: &reader)
        var controller = ControllerConfiguration(
            slo: slo,
            placement: PlacementConstraints(gpusPerInstance: gpusPerInstance, maxTotalGPUs: budget.maxGPUs),
            minTotalGPUs: budget.minGPUs,
            minInstances: budget.minInstances,
            maxInstances: budget.maxInstances
        )
        checkBudget(controller, budgetNode: top["budget"], nodes: nodes, reader: &reader)
        readStabilisation(top["stabilisation"], into: &controller.stabilisation, reader: &reader)
        readEstimation(top["estimation"], into: &controller, reader: &reader)
        controller.priors = readPriors(top["priors"], reader: &reader)
        return controller
    }

    static func readSLO(_ node: Node?, reader: inout ConfigurationReader) -> ServiceLevelObjective {
        var slo = ServiceLevelObjective.default
        guard let fields = reader.mapping(node, key: "slo", allowed: ["ttft", "tpot", "percentile"]) else {
            if node == nil { reader.missing("slo", "set slo.ttft and slo.tpot, e.g. ttft: 2s, tpot: 50ms") }
            return slo
        }
        if let value = reader.duration(fields["ttft"], key: "slo.ttft") { slo.ttftSeconds = value }
        if let value = reader.duration(fields["tpot"], key: "slo.tpot") { slo.tpotSeconds = value }
        if let value = reader.double(fields["percentile"], key: "slo.percentile", range: SettingRules.sloPercentile) { slo.percentile = value }
        return slo
    }

    /// What `budget` allows: total GPUs and per-role instance bounds.
    struct BudgetSection {
        var maxGPUs: Int
        var minGPUs = 0
        var minInstances = PerRole(prefill: 1, decode: 1)
        var maxInstances = PerRole<Int?>(prefill: nil, decode: nil)
    }

    static func readBudget(_ node: Node?, listedGPUs: Int, open: Bool, reader: inout ConfigurationReader) -> BudgetSection {
        var budget = BudgetSection(maxGPUs: open ? PlacementConstraints.openBudgetGPUs : listedGPUs)
        guard let fields = reader.mapping(node, key: "budget",
                                          allowed: ["min_gpus", "max_gpus", "min_prefill", "min_decode", "max_prefill", "max_decode"])
        else { return budget }
        if let value = reader.int(fields["max_gpus"], key: "budget.max_gpus", range: SettingRules.maxGPUs) { budget.maxGPUs = value }
        if let value = reader.int(fields["min_gpus"], key: "budget.min_gpus", range: SettingRules.minGPUs) { budget.minGPUs = value }
        if let value = reader.int(fields["min_prefill"], key: "budget.min_prefill", range: 0...10_000) { budget.minInstances.prefill = value }
        if let value = reader.int(fields["min_decode"], key: "budget.min_decode", range: 0...10_000) { budget.minInstances.decode = value }
        budget.maxInstances.prefill = reader.int(fields["max_prefill"], key: "budget.max_prefill", range: 0...10_000)
        budget.maxInstances.decode = reader.int(fields["max_decode"], key: "budget.max_decode", range: 0...10_000)
        for role in Role.allCases {
            if let cap = budget.maxInstances[role], cap < budget.minInstances[role] {
                reader.report("budget.max_\(role)", fields["max_\(role)"],
                              "must not be below budget.min_\(role) (\(budget.minInstances[role]), 1 unless set); raise it or lower the minimum")
            }
        }
        if listedGPUs > 0, budget.maxGPUs > listedGPUs {
            reader.report("budget.max_gpus", fields["max_gpus"], "exceeds the \(listedGPUs) GPUs the nodes list; lower it or add GPUs to nodes")
        }
        return budget
    }

    /// Cross-field checks: the minimums fit the budget, and every role's instance fits a node.
    private static func checkBudget(_ controller: ControllerConfiguration, budgetNode: Node?, nodes: [ConfiguredNode],
                                    reader: inout ConfigurationReader) {
        for conflict in SettingRules.budgetConflicts(of: controller) {
            switch conflict {
            case let .minimumAboveBudget(_, maxGPUs):
                reader.report("budget.min_gpus", budgetNode?["min_gpus"], "must not exceed budget.max_gpus (\(maxGPUs))")
            case let .roleMinimumsAboveBudget(neededGPUs, maxGPUs):
                reader.report("budget", nil, "the per-role minimums need \(neededGPUs) GPUs but the budget is \(maxGPUs); lower min_prefill/min_decode or raise max_gpus")
            }
        }
        let gpusPerInstance = controller.placement.gpusPerInstance
        for role in Role.allCases where !nodes.isEmpty && !nodes.contains(where: { $0.gpus.count >= gpusPerInstance[role] }) {
            reader.report("workers.\(role).gpus_per_instance", nil, "no node has \(gpusPerInstance[role]) GPUs, and an instance never spans nodes")
        }
    }

    static func readStabilisation(_ node: Node?, into stabilisation: inout ControllerConfiguration.Stabilisation, reader: inout ConfigurationReader) {
        guard let fields = reader.mapping(node, key: "stabilisation", allowed: [
            "scale_down_window", "scale_up_window", "flip_window", "tolerance", "max_step_up", "max_step_down", "flip_cooldown", "learning_startups",
            "hold_while_bursty", "scale_up_pace_startups", "burst_edge_dispersion",
        ]) else { return }
        if let value = reader.duration(fields["scale_down_window"], key: "stabilisation.scale_down_window", allowZero: true) { stabilisation.scaleDownWindowSeconds = value }
        if let value = reader.duration(fields["scale_up_window"], key: "stabilisation.scale_up_window", allowZero: true) { stabilisation.scaleUpWindowSeconds = value }
        if let value = reader.duration(fields["flip_window"], key: "stabilisation.flip_window", allowZero: true) { stabilisation.flipWindowSeconds = value }
        if let value = reader.double(fields["tolerance"], key: "stabilisation.tolerance", range: 0...0.5) { stabilisation.tolerance = value }
        if let value = reader.int(fields["max_step_up"], key: "stabilisation.max_step_up", range: 1...1000) { stabilisation.maxStepUp = value }
        if let value = reader.int(fields["max_step_down"], key: "stabilisation.max_step_down", range: 1...1000) { stabilisation.maxStepDown = value }
        if let value = reader.duration(fields["flip_cooldown"], key: "stabilisation.flip_cooldown", allowZero: true) { stabilisation.flipCooldownSeconds = value }
        if let value = reader.double(fields["learning_startups"], key: "stabilisation.learning_startups", range: 0...100) { stabilisation.learningStartups = value }
        if let value = reader.bool(fields["hold_while_bursty"], key: "stabilisation.hold_while_bursty") { stabilisation.holdWhileBursty = value }
        if let value = reader.double(fields["scale_up_pace_startups"], key: "stabilisation.scale_up_pace_startups", range: 0...100) {
            stabilisation.scaleUpPaceStartups = value
        }
        if let value = reader.double(fields["burst_edge_dispersion"], key: "stabilisation.burst_edge_dispersion", range: 1...1000) {
            stabilisation.burstEdgeDispersion = value
        }
    }

    static func readEstimation(_ node: Node?, into controller: inout ControllerConfiguration, reader: inout ConfigurationReader) {
        guard let fields = reader.mapping(node, key: "estimation", allowed: [
            "startup_prior", "stale_after", "growth_allowance", "decode_utilisation", "backlog_drain", "max_forecast_growth",
            "arrival_time_constant", "trend_time_constant", "length_time_constant", "latency_window", "correction_recovery", "headroom",
            "correction_step", "rising_demand_threshold", "demand_precision", "max_demand_time_constant", "trend_lookahead_per_rise",
        ]) else { return }
        if let value = reader.double(fields["headroom"], key: "estimation.headroom", range: 0...5) { controller.headroom = value }
        readEstimationFields(fields, into: &controller.estimation, reader: &reader)
    }

    private static func readEstimationFields(_ fields: [String: Node], into estimation: inout ControllerConfiguration.Estimation, reader: inout ConfigurationReader) {
        if let value = reader.duration(fields["startup_prior"], key: "estimation.startup_prior") { estimation.startupPriorSeconds = value }
        if let value = reader.duration(fields["stale_after"], key: "estimation.stale_after") { estimation.staleAfterSeconds = value }
        if let value = reader.double(fields["growth_allowance"], key: "estimation.growth_allowance", range: 0...2) { estimation.growthAllowance = value }
        if let value = reader.double(fields["decode_utilisation"], key: "estimation.decode_utilisation", range: 0.1...1) { estimation.decodeUtilisation = value }
        if let value = reader.duration(fields["backlog_drain"], key: "estimation.backlog_drain") { estimation.backlogDrainSeconds = value }
        if let value = reader.double(fields["max_forecast_growth"], key: "estimation.max_forecast_growth", range: 1...10) { estimation.maxForecastGrowth = value }
        if let value = reader.double(fields["trend_lookahead_per_rise"], key: "estimation.trend_lookahead_per_rise", range: 0...100) {
            estimation.trendLookaheadPerRise = value
        }
        if let value = reader.duration(fields["arrival_time_constant"], key: "estimation.arrival_time_constant") { estimation.arrivalLevelTimeConstant = value }
        if let value = reader.duration(fields["trend_time_constant"], key: "estimation.trend_time_constant") { estimation.arrivalTrendTimeConstant = value }
        if let value = reader.duration(fields["length_time_constant"], key: "estimation.length_time_constant") { estimation.lengthTimeConstant = value }
        if let value = reader.duration(fields["latency_window"], key: "estimation.latency_window") { estimation.latencyWindowSeconds = value }
        if let value = reader.duration(fields["correction_recovery"], key: "estimation.correction_recovery") { estimation.correctionRecoveryTimeConstant = value }
        if let value = reader.double(fields["correction_step"], key: "estimation.correction_step", range: 0.01...1) { estimation.correctionStep = value }
        if let value = reader.double(fields["rising_demand_threshold"], key: "estimation.rising_demand_threshold", range: 0.01...10) {
            estimation.risingDemandThreshold = value
        }
        if let value = reader.double(fields["demand_precision"], key: "estimation.demand_precision", range: 0.001...1) { estimation.demandPrecision = value }
        if let value = reader.duration(fields["max_demand_time_constant"], key: "estimation.max_demand_time_constant") {
            estimation.maxDemandTimeConstant = value
        }
    }

    static func readPriors(_ node: Node?, reader: inout ConfigurationReader) -> PerformancePriors {
        var priors = PerformancePriors()
        guard let fields = reader.mapping(node, key: "priors", allowed: ["prefill", "decode", "weight"]) else { return priors }
        if let prefill = reader.mapping(fields["prefill"], key: "priors.prefill", allowed: ["tokens_per_s", "batch_overhead", "attention_per_token_squared"]) {
            if let rate = reader.double(prefill["tokens_per_s"], key: "priors.prefill.tokens_per_s", range: 1...1e9) {
                priors.prefill = PrefillPerformance(
                    tokensPerSecond: rate,
                    batchOverheadSeconds: reader.duration(prefill["batch_overhead"], key: "priors.prefill.batch_overhead", allowZero: true) ?? 0,
                    attentionSecondsPerTokenSquared: reader.double(prefill["attention_per_token_squared"], key: "priors.prefill.attention_per_token_squared", range: 0...1)
                )
            } else if prefill["tokens_per_s"] == nil {
                reader.missing("priors.prefill.tokens_per_s", "give the saturated prompt tokens per second of one prefill instance")
            }
        }
        if let decode = reader.mapping(fields["decode"], key: "priors.decode", allowed: [
            "step_base", "step_per_sequence", "step_per_context_token", "kv_capacity_tokens", "max_batch",
        ]) {
            let base = reader.duration(decode["step_base"], key: "priors.decode.step_base")
            let perSequence = reader.duration(decode["step_per_sequence"], key: "priors.decode.step_per_sequence", allowZero: true)
            let perContext = reader.duration(decode["step_per_context_token"], key: "priors.decode.step_per_context_token", allowZero: true)
            let kv = reader.double(decode["kv_capacity_tokens"], key: "priors.decode.kv_capacity_tokens", range: 1...1e12)
            let batch = reader.int(decode["max_batch"], key: "priors.decode.max_batch", range: 1...100_000)
            if let base, let perSequence, let perContext, let kv, let batch {
                priors.decode = DecodePerformance(stepBaseSeconds: base, stepPerSequenceSeconds: perSequence,
                                                  stepPerContextTokenSeconds: perContext, kvCapacityTokens: kv, maxBatch: batch)
            } else {
                reader.report("priors.decode", fields["decode"], "needs step_base, step_per_sequence, step_per_context_token, kv_capacity_tokens and max_batch together")
            }
        }
        if let weight = reader.double(fields["weight"], key: "priors.weight", range: 0...1000) { priors.weightInSamples = weight }
        return priors
    }
}
