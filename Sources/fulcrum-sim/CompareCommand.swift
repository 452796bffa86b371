import ArgumentParser
import FulcrumSim

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Simulate several policies on the same trace and print one table."
    )

    @OptionGroup var options: SimulationOptions

    @Option(help: "Comma-separated policies.")
    var policies: String = "fulcrum,aiconfigurator,dynamo-sla,dynamo-load,hindsight-mean"

    @Option(help: "Write an array of the per-policy summaries as JSON here.")
    var json: String?

    @Option(help: "Write one SVG plot per policy into this folder.")
    var plots: String?

    func run() throws {
        let input = try options.makeInput()
        try SimulationOptions.checkOutputs(json, plots.map { "\($0)/x.svg" })
        let chosen = try PolicyCatalog.policies(named: policies)
        guard !chosen.isEmpty else { throw CommandFailure(description: "--policies is empty; name at least one, e.g. fulcrum,static:2:6.") }
        try SimulationOptions.checkFits(chosen, input)
        var results: [SimulationResult] = []
        for policy in chosen {
            let outcome = try Simulator.run(input, policy: policy)
            results.append(outcome.result)
            if let plots {
                let file = policy.name.replacingOccurrences(of: ":", with: "-") + ".svg"
                try writeFile(TimelineSVGWriter.render(outcome.result, title: "\(policy.name) on \(options.trace)"), to: "\(plots)/\(file)")
            }
        }
        print("trace \(options.trace): \(input.trace.count) requests over \(Int(input.trace.last?.arrival ?? 0)) s; profile \(input.profile.name); budget \(input.gpuBudget) GPUs; SLO TTFT ≤ \(options.ttftSeconds) s, TPOT ≤ \((options.tpotSeconds * 1000).compactText) ms")
        print(SummaryTable.render(results))
        if let json { try writeFile(try prettyJSON(results), to: json) }
    }
}
