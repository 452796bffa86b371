import Foundation
@testable import FulcrumTraces
import Testing

/// Prefix-block hashes through every path a trace takes: readers, writer, transforms, generator.
@Suite struct PrefixBlockTests {
    @Test("Mooncake hash_ids become the request's prefix blocks; a negative hash is refused with its line")
    func mooncakeHashes() throws {
        let text = """
        {"timestamp": 0, "input_length": 1100, "output_length": 5, "hash_ids": [7, 8, 9]}
        {"timestamp": 500, "input_length": 600, "output_length": 5}
        """
        let read = try TraceReader.parse(text: text, sourceName: "m.jsonl")
        #expect(read.requests.map(\.prefixBlocks) == [[7, 8, 9], []])
        #expect(throws: TraceError.self) {
            try TraceReader.parse(text: #"{"timestamp": 0, "input_length": 1, "output_length": 1, "hash_ids": [-1]}"#, sourceName: "bad.jsonl")
        }
    }

    @Test("The CSV writer adds a hash_ids column when there are prefixes, and the reader reads it back")
    func csvRoundTrip() throws {
        let requests = [
            TraceRequest(arrival: 0, inputTokens: 1_100, outputTokens: 5, prefixBlocks: [1, 2, 3]),
            TraceRequest(arrival: 1.5, inputTokens: 600, outputTokens: 9, prefixBlocks: []),
        ]
        let text = try TraceWriter.csvText(requests)
        #expect(text.hasPrefix("arrival_s,input_tokens,output_tokens,hash_ids\n0.000,1100,5,1 2 3\n"))
        let read = try TraceReader.parse(text: text, sourceName: "p.csv")
        #expect(read.format == .csvPrefixes)
        #expect(read.requests == requests)
        // Without prefixes the file is the plain format, byte for byte as before.
        #expect(try TraceWriter.csvText([TraceRequest(arrival: 0, inputTokens: 1, outputTokens: 1)]) == "arrival_s,input_tokens,output_tokens\n0.000,1,1\n")
        do {
            _ = try TraceReader.parse(text: "arrival_s,input_tokens,output_tokens,hash_ids\n0,10,1,4 x\n", sourceName: "bad.csv")
            Issue.record("a non-numeric hash was accepted")
        } catch {
            #expect(error.description.contains("bad.csv line 2"), "\(error)")
            #expect(error.description.contains("hash_ids"))
        }
    }

    @Test("Load-scale copies are other users: their hashes differ from the original's, consistently")
    func loadScaleCopies() throws {
        let original = [TraceRequest(arrival: 10, inputTokens: 1_100, outputTokens: 5, prefixBlocks: [1, 2]),
                        TraceRequest(arrival: 20, inputTokens: 1_600, outputTokens: 5, prefixBlocks: [1, 2, 3])]
        let scaled = try TraceTransform.apply([.loadScale(2, seed: 3)], to: original)
        #expect(scaled.count == 4)
        let copies = scaled.filter { $0.prefixBlocks.first != 1 }
        #expect(copies.count == 2)
        // A copy of the second request still extends the copy of the first.
        let sorted = copies.sorted { $0.prefixBlocks.count < $1.prefixBlocks.count }
        #expect(Array(sorted[1].prefixBlocks.prefix(2)) == sorted[0].prefixBlocks)
    }

    @Test("The conversation scenario re-sends history: at least 30 % of prompt tokens are prefixes seen before, deterministically")
    func conversationScenario() throws {
        let scenario = try Scenario.builtin("conversation")
        let trace = try TraceGenerator.generate(scenario: scenario, seed: 42)
        #expect(trace == (try TraceGenerator.generate(scenario: scenario, seed: 42)))
        #expect(trace.allSatisfy { $0.prefixBlocks.count == ($0.inputTokens + 511) / 512 })
        let share = trace.reusablePrefixShare
        #expect(share >= 0.3 && share <= 0.6, "\(share)")
        // By hand: a second prompt repeating the first's two full blocks reuses 1,024 of its tokens.
        let pair = [TraceRequest(arrival: 0, inputTokens: 1_100, outputTokens: 1, prefixBlocks: [1, 2, 3]),
                    TraceRequest(arrival: 1, inputTokens: 1_500, outputTokens: 1, prefixBlocks: [1, 2, 4])]
        #expect(pair.reusablePrefixShare == 1_024.0 / 2_600)
        // Arrivals are the long-context look-alike's; only prompts changed.
        let plain = try TraceGenerator.generate(scenario: Scenario(name: "x", phases: scenario.phases), seed: 42)
        #expect(plain.map(\.arrival) == trace.map(\.arrival))
        #expect(plain.allSatisfy { $0.prefixBlocks.isEmpty })
    }

    @Test("Sessions in YAML: read, validated with their key, written back")
    func sessionsYAML() throws {
        let yaml = """
        name: talk
        sessions: { turns_mean: 3, system_prompts: 2, system_prompt_tokens: 1024, max_context_tokens: 8192, turn_gap_s: 10 }
        phases:
          - duration_s: 60
            arrival: { process: poisson, rate_rps: 2 }
            input: { mean: 500, cv: 0.5 }
            output: { mean: 50, cv: 0.5 }
        """
        let scenario = try Scenario.load(yaml: yaml)
        #expect(scenario.sessions == ConversationSessions(turnsMean: 3, systemPrompts: 2, systemPromptTokens: 1_024, maxContextTokens: 8_192, turnGapSeconds: 10))
        #expect(try Scenario.load(yaml: scenario.yamlText()) == scenario)
        do {
            _ = try Scenario.load(yaml: yaml.replacingOccurrences(of: "turns_mean: 3", with: "turns_mean: 0.5"), sourceName: "talk.yaml")
            Issue.record("turns_mean 0.5 was accepted")
        } catch {
            #expect(error.description.contains("sessions.turns_mean"), "\(error)")
        }
    }
}
