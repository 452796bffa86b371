import ArgumentParser
import Foundation
import FulcrumTraces

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic trace (arrival_s,input_tokens,output_tokens CSV, plus hash_ids for conversation scenarios) from a named scenario or a scenario YAML file.",
        discussion: "Built-in scenarios: \(Scenario.builtinNames.joined(separator: ", ")). The same seed writes the same file."
    )

    @Argument(help: "A built-in scenario name or a scenario YAML file.")
    var scenario: String

    @Option(name: .shortAndLong, help: "Output CSV path (folders are created).")
    var output: String?

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Flag(name: .customLong("print-scenario"),
          help: "Print the scenario as YAML on standard output (a starting point for your own); with -o the trace is written too.")
    var printScenario = false

    func validate() throws {
        guard output != nil || printScenario else {
            throw ValidationError("Give -o FILE for the trace, or --print-scenario to see the scenario.")
        }
    }

    func run() throws {
        let chosen = Scenario.builtinNames.contains(scenario) ? try Scenario.builtin(scenario) : try Scenario.load(path: scenario)
        if printScenario { print(chosen.yamlText(), terminator: "") }
        guard let output else { return }
        let requests: [TraceRequest]
        do {
            requests = try TraceGenerator.generate(scenario: chosen, seed: seed)
        } catch {
            // Name the file (or built-in) the user gave, not the scenario's `name:` inside it.
            throw ScenarioError(source: scenario, problem: error.problem)
        }
        try TraceWriter.write(requests, toPath: output)
        // With the YAML on standard output, the summary goes to standard error so
        // `generate NAME --print-scenario -o x.csv > mine.yaml` leaves a clean file.
        var summary = "wrote \(requests.count) requests over \(Int(requests.last?.arrival ?? 0)) s to \(output)\n"
        if requests.contains(where: { !$0.prefixBlocks.isEmpty }) {
            let share = (requests.reusablePrefixShare * 1000).rounded() / 10
            summary += "\(share) % of prompt tokens are prefixes sent before (what an unbounded prefix cache could skip)\n"
        }
        if printScenario { FileHandle.standardError.write(Data(summary.utf8)) } else { print(summary, terminator: "") }
    }
}
