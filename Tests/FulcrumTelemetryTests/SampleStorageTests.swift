import Foundation
import Testing
@testable import FulcrumTelemetry

// Parsed samples live side by side in one store per parse, each family a range of it
// (SampleStorage.swift). These check that what comes out is what an array per family held.

@Suite struct SampleStorageTests {
    @Test("a family that comes back, in the text format, keeps its samples in exposition order")
    func interleavedFamiliesRegroup() throws {
        let text = """
            a{x="1"} 1 1000
            b_bucket{le="1"} 2
            a{x="2"} 3
            b_bucket{le="+Inf"} 4
            c 5
            a 6 2000
            b_sum 7

            """
        let exposition = try ExpositionParser.parse(text)
        #expect(exposition.families.map(\.name) == ["a", "b_bucket", "c", "b_sum"])
        #expect(Array(exposition.family(named: "a")?.samples ?? []) == [
            Sample(name: "a", labels: [Label("x", "1")], value: 1, timestamp: 1),
            Sample(name: "a", labels: [Label("x", "2")], value: 3),
            Sample(name: "a", value: 6, timestamp: 2),
        ])
        #expect(Array(exposition.family(named: "b_bucket")?.samples ?? []) == [
            Sample(name: "b_bucket", labels: [Label("le", "1")], value: 2),
            Sample(name: "b_bucket", labels: [Label("le", "+Inf")], value: 4),
        ])
        #expect(exposition.family(named: "c")?.samples.map(\.value) == [5])
        #expect(exposition.family(named: "b_sum")?.samples.map(\.value) == [7])
    }

    @Test("a family whose metadata comes before another family's samples gets its own samples only")
    func metadataBeforeAnotherFamily() throws {
        let text = """
            # TYPE late gauge
            # TYPE early gauge
            early{engine="0"} 1
            early{engine="1"} 2
            late{engine="0"} 3

            """
        let exposition = try ExpositionParser.parse(text)
        #expect(exposition.families.map(\.name) == ["late", "early"])
        #expect(exposition.family(named: "late")?.samples.map(\.value) == [3])
        #expect(exposition.family(named: "early")?.samples.map { $0.label("engine") } == ["0", "1"])
    }

    @Test("an interest set's families, with others between them, hold only their own samples")
    func interestSetWithFamiliesBetween() throws {
        let text = """
            wanted_total{k="a"} 1
            other 2
            wanted_total{k="b"} 3
            also 4

            """
        let exposition = try ExpositionParser.parse(text, families: .only(["wanted_total", "also"]))
        #expect(exposition.families.map(\.name) == ["wanted_total", "also"])
        #expect(exposition.family(named: "wanted_total")?.samples.map { $0.label("k") } == ["a", "b"])
        #expect(exposition.family(named: "also")?.samples.map(\.value) == [4])
    }

    @Test("exemplars stay with their samples")
    func exemplarsStayWithTheirSamples() throws {
        let text = """
            # TYPE r counter
            r_total 1 # {trace_id="x"} 0.5 10
            r_total{k="2"} 2
            # EOF

            """
        let samples = try #require(try ExpositionParser.parse(text).family(named: "r")?.samples)
        #expect(samples[0].exemplar == Exemplar(labels: [Label("trace_id", "x")], value: 0.5, timestamp: 10))
        #expect(samples[1].exemplar == nil)
        #expect(samples[1].labels == [Label("k", "2")])
    }

    @Test("samples built from an array equal it and encode to the same JSON")
    func samplesFromAnArray() throws {
        let array = [
            Sample(name: "h_bucket", labels: [Label("le", "1"), Label("engine", "0")], value: 1),
            Sample(name: "h_bucket", labels: [Label("le", "+Inf"), Label("engine", "0")], value: 2, timestamp: 3),
            Sample(name: "h_sum", value: 4, exemplar: Exemplar(labels: [Label("id", "q")], value: 1)),
        ]
        let samples = Samples(array)
        #expect(Array(samples) == array)
        #expect(samples.count == 3)
        #expect(samples == Samples(array))
        #expect(samples != Samples(Array(array.dropLast())))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(samples) == encoder.encode(array))
        #expect(try JSONDecoder().decode(Samples.self, from: encoder.encode(array)) == samples)
        #expect(Samples([]).isEmpty)
    }

    @Test("labels compare, hash and print as the array they hold")
    func labelsActLikeAnArray() {
        let labels: Labels = [Label("a", "1"), Label("b", "2")]
        #expect(labels == Labels([Label("a", "1"), Label("b", "2")]))
        #expect(labels != Labels([Label("a", "1")]))
        #expect(labels.hashValue == Labels([Label("a", "1"), Label("b", "2")]).hashValue)
        #expect(labels.description == [Label("a", "1"), Label("b", "2")].description)
        #expect(labels.map(\.name) == ["a", "b"])
        #expect(Labels([]).isEmpty)
    }

    @Test("input of 2 GiB or more is refused before a byte is read")
    func inputTooLargeForThirtyTwoBitRows() throws {
        // Only the length is looked at: the guard comes before any byte is read.
        let byte = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
        defer { byte.deallocate() }
        let huge = UnsafeRawBufferPointer(start: byte, count: Int(Int32.max) + 1)
        #expect(throws: ExpositionParseError(line: 1, column: 1, reason: .tooLarge(bytes: Int(Int32.max) + 1))) {
            try ExpositionParser.parse(huge)
        }
    }
}
