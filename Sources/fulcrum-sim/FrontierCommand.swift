import ArgumentParser
import Foundation
import FulcrumCore
import FulcrumSim

struct FrontierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontier",
        abstract: "Plot SLO attainment against GPU-hours for every fixed split, the baselines and Fulcrum's headroom sweep.",
        discussion: """
            Fixed splits start ready at t = 0. Dynamic policies take over a running fleet: --initial P:D, \
            or by default the cheapest fixed split meeting the SLO percentile (else the best-attainment split). \
            Attainment is over feasible requests (those that meet the SLO alone on idle instances). \
            See docs/simulator.md, "The frontier".
            """
    )

    @OptionGroup var options: SimulationOptions

    @Option(help: "Comma-separated dynamic baselines.")
    var baselines: String = FrontierStudy.defaultBaselines.joined(separator: ",")

    @Option(name: .customLong("headroom-sweep"), help: "Comma-separated values of Fulcrum's headroom knob to run besides its default (1).")
    var headroomSweep: String = FrontierStudy.defaultHeadroomSweep.map { ShortestDecimal.text($0) }.joined(separator: ",")

    @Option(name: .customLong("tick-phases"), help: "Run Fulcrum at its defaults with its first decision at this many phases of its tick interval and print the spread (1: the default run alone).")
    var tickPhases: Int = FrontierStudy.defaultTickPhases

    @Option(name: .customLong("max-total"), help: "Run only fixed splits of at most this many instances (P + D); default every split that fits the budget.")
    var maxTotal: Int?

    @Option(help: "Simulations run at once; default the number of active processors.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Write the frontier report (every point, the Pareto frontier, the lower bound, the summary) as JSON here.")
    var json: String?

    @Option(help: "Draw feasible SLO attainment against GPU-hours as SVG here.")
    var svg: String?

    func run() throws {
        let started = Date()
        try SimulationOptions.checkOutputs(json, svg)
        let study = try makeStudy()
        try study.validate()
        FileHandle.standardError.write(Data("fulcrum-sim: running \(study.splits().count) fixed splits, then \(study.baselines.count) baselines and Fulcrum at \(Set(study.headroomSweep + [1]).count) headroom settings and \(study.tickPhases) tick phases, \(study.jobs) at a time\n".utf8))
        let report = try study.run()
        print(FrontierTable.render(report))
        if let json { try writeFile(try prettyJSON(report), to: json) }
        if let svg { try writeFile(FrontierSVGWriter.render(report), to: svg) }
        FileHandle.standardError.write(Data(String(format: "fulcrum-sim: %d simulations in %.1f s\n", report.points.count + max(0, (report.tickPhases?.count ?? 1) - 1), Date().timeIntervalSince(started)).utf8))
    }

    private func makeStudy() throws -> FrontierStudy {
        var input = try options.makeInput()
        input.initialInstances = PerRole(repeating: 0)
        let sweep = try headroomSweep.split(separator: ",").map { text in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let value = Double(trimmed), value > 0, value.isFinite else {
                throw CommandFailure(description: "--headroom-sweep has \"\(trimmed)\"; give positive numbers separated by commas, like 0.8,1,1.2.")
            }
            return value
        }
        let names = baselines.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return FrontierStudy(
            input: input,
            label: options.trace,
            warmStart: try options.initial.map { try SimulationOptions.parseCounts($0, option: "--initial") },
            baselines: names,
            headroomSweep: sweep,
            maxSplitInstances: maxTotal,
            jobs: jobs,
            tickPhases: tickPhases
        )
    }
}
