import FulcrumCore
import Testing
import FulcrumTelemetry

private let at = Timestamp(seconds: 1000)

private func parsed(_ text: String, for choice: PresetRequest) throws -> Exposition {
    try ExpositionParser.parse(text, families: .only(choice.metricNames))
}

private func removingLines(containing needle: String, from text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.contains(needle) }
        .joined(separator: "\n")
}

@Suite struct PresetRequestTests {
    @Test func autoDetectsTheEngineOfAWorker() throws {
        // The fixture is a Dynamo worker: `dynamo_component_*` families next to vLLM's own.
        let applicable = PresetRequest.auto.applicablePreset(in: try parsed(Fixtures.vllmTwoEngines, for: .auto))
        #expect(applicable == .engine(.vllm, detected: true))
        let sglang = PresetRequest.auto.applicablePreset(in: try parsed(Fixtures.sglangPrefillDP, for: .auto))
        #expect(sglang == .engine(.sglang, detected: true))
    }

    @Test func autoFallsBackToTheFrontend() throws {
        let applicable = PresetRequest.auto.applicablePreset(in: try parsed(Fixtures.dynamoFrontend, for: .auto))
        #expect(applicable == .frontend(.dynamo, detected: true))
    }

    @Test func autoRecognisesNothingElse() throws {
        let exposition = try parsed("process_cpu_seconds_total 1\n", for: .auto)
        #expect(PresetRequest.auto.applicablePreset(in: exposition) == nil)
    }

    @Test func aNamedPresetAppliesUndetected() throws {
        // Named, a preset applies even to another engine's exposition: the report shows the gaps.
        let exposition = try parsed(Fixtures.dynamoFrontend, for: .engine(.trtllm))
        #expect(PresetRequest.engine(.trtllm).applicablePreset(in: exposition) == .engine(.trtllm, detected: false))
        #expect(PresetRequest.frontend(.dynamo).applicablePreset(in: exposition) == .frontend(.dynamo, detected: false))
    }

    @Test func autoReadsEveryPresetItMayApply() {
        let names = PresetRequest.auto.metricNames
        for preset in EnginePreset.builtIn { #expect(preset.metricNames.isSubset(of: names)) }
        #expect(FrontendPreset.dynamo.metricNames.isSubset(of: names))
        #expect(PresetRequest.engine(.vllm).metricNames == EnginePreset.vllm.metricNames)
        #expect(PresetRequest.frontend(.dynamo).metricNames == FrontendPreset.dynamo.metricNames)
    }
}

@Suite struct LenientExtractionTests {
    @Test func workerReadingsSurviveAMissingRequiredSignal() throws {
        let text = removingLines(containing: "vllm:num_requests_waiting", from: Fixtures.vllmTwoEngines)
        let exposition = try parsed(text, for: .engine(.vllm))
        #expect(EnginePreset.vllm.extract(from: exposition, scrapedAt: at).telemetry == nil)

        let lenient = EnginePreset.vllm.extractLeniently(from: exposition, scrapedAt: at)
        #expect(lenient.missingRequired == [.requestsWaiting])
        let telemetry = try #require(lenient.telemetry)
        #expect(telemetry.requestsRunning == 22)
        #expect(telemetry.promptTokens == 1500)
        #expect(telemetry.timeToFirstToken != nil)
    }

    @Test func frontendReadingsSurviveAMissingRequiredSignal() throws {
        let text = removingLines(containing: "dynamo_frontend_input_sequence_tokens", from: Fixtures.dynamoFrontend)
        let exposition = try parsed(text, for: .frontend(.dynamo))
        #expect(FrontendPreset.dynamo.extract(from: exposition, scrapedAt: at).telemetry == nil)

        let lenient = FrontendPreset.dynamo.extractLeniently(from: exposition, scrapedAt: at)
        #expect(lenient.missingRequired == [.inputTokens])
        let telemetry = try #require(lenient.telemetry)
        #expect(telemetry.outputTokens == 600)
        #expect(telemetry.requestsCompleted == 2)
    }

    @Test func withNothingMissingLenientIsStrict() throws {
        let worker = try parsed(Fixtures.vllmTwoEngines, for: .engine(.vllm))
        #expect(EnginePreset.vllm.extractLeniently(from: worker, scrapedAt: at).telemetry
            == EnginePreset.vllm.extract(from: worker, scrapedAt: at).telemetry)
        let frontend = try parsed(Fixtures.dynamoFrontend, for: .frontend(.dynamo))
        #expect(FrontendPreset.dynamo.extractLeniently(from: frontend, scrapedAt: at).telemetry
            == FrontendPreset.dynamo.extract(from: frontend, scrapedAt: at).telemetry)
    }
}
