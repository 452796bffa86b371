import FulcrumCore
import Foundation
import Testing
@testable import FulcrumSim
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct ReportWriterTests {
    private func scaledRun() throws -> SimulationResult {
        let trace = Traces.pseudoRandom(seed: 9, rate: 4, duration: 600)
        let policy = ScriptedPolicy([
            (at: 60, steps: [.action(.start(role: .decode, node: "node-1", gpus: [0]))]),
            (at: 400, steps: [.drainFirstReady(.prefill)]),
        ])
        return try Simulator.run(makeInput(trace: trace, initial: PerRole(prefill: 2, decode: 2)), policy: policy).result
    }

    /// Collects element names while parsing; any XML error fails the parse.
    private final class ElementCollector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            elements.append(elementName)
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }
    }

    @Test func svgIsWellFormedXMLWithAllPanels() throws {
        let result = try scaledRun()
        let svg = TimelineSVGWriter.render(result, title: "policy <a & b> \"quoted\"")
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(collector.elements.first == "svg")
        // Four instance lines, two demand lines, one SLO line.
        #expect(collector.elements.count { $0 == "path" } == 7)
        #expect(collector.text.contains("policy <a & b> \"quoted\""))
        #expect(collector.text.contains("SLO attainment"))
    }

    @Test func csvHasOneRowPerIntervalAndAFieldPerColumn() throws {
        let result = try scaledRun()
        let csv = TimelineCSVWriter.render(result.timeline)
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == result.timeline.count + 1)
        #expect(lines.first.map(String.init) == TimelineCSVWriter.header.joined(separator: ","))
        for line in lines {
            #expect(line.split(separator: ",", omittingEmptySubsequences: false).count == TimelineCSVWriter.header.count)
        }
        let first = lines[1].split(separator: ",", omittingEmptySubsequences: false)
        #expect(first[0] == "0.0")
        #expect(Int(first[6]) == 2)  // prefill_ready
    }

    @Test func writersWriteFiles() throws {
        let result = try scaledRun()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try TimelineCSVWriter.write(result.timeline, to: directory.appendingPathComponent("t.csv"))
        try TimelineSVGWriter.write(result, to: directory.appendingPathComponent("t.svg"))
        #expect(try String(contentsOf: directory.appendingPathComponent("t.csv"), encoding: .utf8) == TimelineCSVWriter.render(result.timeline))
        #expect(try String(contentsOf: directory.appendingPathComponent("t.svg"), encoding: .utf8) == TimelineSVGWriter.render(result))
    }

    @Test func niceCeilingRoundsUpToOneTwoFive() {
        #expect(TimelineSVGWriter.niceCeiling(7) == 10)
        #expect(TimelineSVGWriter.niceCeiling(1.5) == 2)
        #expect(TimelineSVGWriter.niceCeiling(30_000) == 50_000)
        #expect(TimelineSVGWriter.niceCeiling(5) == 5)
    }
}
