import ArgumentParser
import FulcrumSim

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate one policy on a trace and print its summary."
    )

    @OptionGroup var options: SimulationOptions

    @Option(help: "Policy: fulcrum, static:P:D, dynamo-sla, dynamo-load, aiconfigurator, hindsight-mean or hindsight-lead[:U].")
    var policy: String = "fulcrum"

    @Option(help: "Write the summary (with its timeline) as JSON here.")
    var json: String?

    @Option(help: "Write the per-interval timeline as CSV here.")
    var timeline: String?

    @Option(help: "Draw instances by role, demand and SLO attainment over time as SVG here.")
    var plot: String?

    func run() throws {
        let input = try options.makeInput()
        try SimulationOptions.checkOutputs(json, timeline, plot)
        let chosen = try PolicyCatalog.policy(named: policy)
        try SimulationOptions.checkFits([chosen], input)
        let outcome = try Simulator.run(input, policy: chosen)
        print(SummaryTable.render([outcome.result]))
        if let json { try writeFile(try prettyJSON(outcome.result), to: json) }
        if let timeline { try writeFile(TimelineCSVWriter.render(outcome.result.timeline), to: timeline) }
        if let plot { try writeFile(TimelineSVGWriter.render(outcome.result, title: "\(policy) on \(options.trace)"), to: plot) }
    }
}
