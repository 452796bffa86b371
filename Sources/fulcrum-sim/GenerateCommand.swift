import ArgumentParser
import FulcrumTraces

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic trace (arrival_s,input_tokens,output_tokens CSV, plus hash_ids for conversation scenarios) from a named scenario or a scenario YAML file.",
        discussion: "Built-in scenarios: \(Scenario.builtinNames.joined(separator: ", ")). The same seed writes the same file."
    )

    @Argument(help: "A built-in scenario name or a scenario YAML file.")
    var scenario: String

    @Option(name: .shortAndLong, help: "Output CSV path.")
    var output: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 42

    @Flag(name: .customLong("print-scenario"), help: "Print the scenario as YAML (a starting point for your own).")
    var printScenario = false

    func run() throws {
        let chosen = Scenario.builtinNames.contains(scenario) ? try Scenario.builtin(scenario) : try Scenario.load(path: scenario)
        if printScenario { print(chosen.yamlText()) }
        let requests = try TraceGenerator.generate(scenario: chosen, seed: seed)
        try TraceWriter.write(requests, toPath: output)
        print("wrote \(requests.count) requests over \(Int(requests.last?.arrival ?? 0)) s to \(output)")
        if requests.contains(where: { !$0.prefixBlocks.isEmpty }) {
            let share = (requests.reusablePrefixShare * 1000).rounded() / 10
            print("\(share) % of prompt tokens are prefixes sent before (what an unbounded prefix cache could skip)")
        }
    }
}
