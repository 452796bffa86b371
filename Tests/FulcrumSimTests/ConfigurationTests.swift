import FulcrumCore
import Foundation
import Testing
@testable import FulcrumSim

@Suite struct ConfigurationTests {
    private let sampleProfile = """
    name: toy
    model: toy-model
    gpus_per_instance: {prefill: 1, decode: 2}
    prefill:
      batch_overhead_s: 0.01
      per_token_s: 1.0e-4
      attention_per_token_squared_s: 0
      max_batch_tokens: 4096
    decode:
      step_base_s: 0.01
      step_per_sequence_s: 1.0e-4
      step_per_context_token_s: 1.0e-8
      kv_capacity_tokens: 100000
      max_batch: 64
    kv_bytes_per_token: 1000
    kv_transfer_bytes_per_s: 1.0e9
    startup_s: 90
    """

    /// Profiles written before the priors carried the attention term name a typical prompt
    /// length; they still load, and the key changes nothing.
    @Test func profileWithTheRetiredTypicalPromptLengthStillLoads() throws {
        let old = try Profile.decode(yaml: sampleProfile + "\ntypical_prompt_tokens: 4000\n")
        #expect(old == (try Profile.decode(yaml: sampleProfile)))
    }

    @Test func profileDecodesFromYAML() throws {
        let profile = try Profile.decode(yaml: sampleProfile)
        #expect(profile.gpusPerInstance == PerRole(prefill: 1, decode: 2))
        #expect(profile.prefill.maxBatchTokens == 4096)
        #expect(profile.decode.maxBatch == 64)
        #expect(profile.startupSeconds == 90)
        #expect(profile.kvTransferSeconds(tokens: 1000) == 1e-3)
    }

    @Test func builtinProfilesRoundTripThroughYAML() throws {
        for profile in Profile.builtins.values {
            #expect(try Profile.decode(yaml: profile.yamlText) == profile)
        }
    }

    @Test func loadErrorsNameTheFileAndTheKey() throws {
        let directory = FileManager.default.temporaryDirectory
        let path = directory.appendingPathComponent("profile-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }

        try sampleProfile.replacingOccurrences(of: "  max_batch: 64\n", with: "").write(toFile: path, atomically: true, encoding: .utf8)
        var error = try #require(throws: SimulationFileError.self) { try Profile.load(path: path) }
        #expect(error.source == path)
        #expect(error.key == "decode.max_batch")
        #expect(error.description.contains(path) && error.description.contains("decode.max_batch"))

        try sampleProfile.replacingOccurrences(of: "max_batch: 64", with: "max_batch: lots").write(toFile: path, atomically: true, encoding: .utf8)
        error = try #require(throws: SimulationFileError.self) { try Profile.load(path: path) }
        #expect(error.key == "decode.max_batch")

        try sampleProfile.replacingOccurrences(of: "kv_transfer_bytes_per_s: 1.0e9", with: "kv_transfer_bytes_per_s: 0")
            .write(toFile: path, atomically: true, encoding: .utf8)
        error = try #require(throws: SimulationFileError.self) { try Profile.load(path: path) }
        #expect(error.key == "kv_transfer_bytes_per_s")

        error = try #require(throws: SimulationFileError.self) { try Profile.load(path: path + ".missing") }
        #expect(error.source == path + ".missing")
        #expect(try Profile.named("llama3-70b-h100-tp4") == .llama3_70B_H100_TP4)
    }

    @Test func builtinProfilesFollowTheModelShapes() throws {
        #expect(Profile.builtins.count == 3)
        let small = Profile.llama3_8B_H100
        let medium = Profile.llama3_70B_H100_TP4
        let large = Profile.llama3_405B_H200_TP8
        // 2 (K, V) · layers · KV heads · head dim · 2 bytes.
        #expect(small.kvBytesPerToken == 2 * 32 * 8 * 128 * 2)
        #expect(medium.kvBytesPerToken == 2 * 80 * 8 * 128 * 2)
        #expect(large.kvBytesPerToken == 2 * 126 * 8 * 128 * 2)
        #expect(small.gpusPerInstance == PerRole(repeating: 1))
        #expect(medium.gpusPerInstance == PerRole(repeating: 4))
        #expect(large.gpusPerInstance == PerRole(repeating: 8))
        for profile in [small, medium, large] {
            try profile.validate(source: profile.name)
            #expect(profile.startupSeconds >= 120 && profile.startupSeconds <= 600)
            // Decode is memory-bound: a batch of 32 costs well under 32 lone steps.
            #expect(profile.decode.stepSeconds(batch: 32, contextTokens: 32 * 2048) < 8 * profile.decode.stepSeconds(batch: 1, contextTokens: 2048))
            #expect(profile.decode.kvCapacityTokens > 300_000 && profile.decode.kvCapacityTokens < 500_000)
        }
        // Roofline: 8B prefill at 50 % MFU of 989 TFLOP/s is ~30 k tokens/s; bigger models slower.
        let smallRate = try #require(small.priors.prefill?.tokensPerSecond)
        #expect(smallRate > 25_000 && smallRate < 35_000)
        #expect(try #require(medium.priors.prefill?.tokensPerSecond) < smallRate)
        #expect(try #require(large.priors.prefill?.tokensPerSecond) < #require(medium.priors.prefill?.tokensPerSecond))
        // 8B decode reads 16 GB of weights per step at 80 % of 3.35 TB/s: ~6 ms, plus launches.
        #expect(abs(small.decode.stepBaseSeconds - (16.06e9 / (3.35e12 * 0.8) + 0.001)) < 1e-9)
    }

    @Test func priorsMatchTheDecodeModelAndPrefillThroughput() throws {
        let profile = Profile.llama3_8B_H100
        let priors = profile.priors
        let decode = try #require(priors.decode)
        #expect(decode.stepBaseSeconds == profile.decode.stepBaseSeconds)
        #expect(decode.stepPerContextTokenSeconds == profile.decode.stepPerContextTokenSeconds)
        #expect(decode.kvCapacityTokens == Double(profile.decode.kvCapacityTokens))
        #expect(decode.maxBatch == profile.decode.maxBatch)
        // Eight 1000-token prompts fill one 8192-token batch almost exactly.
        let prefill = try #require(priors.prefill)
        let batch = profile.prefill.batchSeconds(tokens: 8192, attentionWork: 8.192 * 1000 * 1000)
        #expect(relativeError(prefill.tokensPerSecond(promptTokens: 1000), 8192 / batch) < 1e-9)
        #expect(prefill.attentionSecondsPerTokenSquared == profile.prefill.attentionPerTokenSquaredSeconds)
    }

    @Test func clusterSpecLoadsAndValidates() throws {
        let spec = try ClusterSpec.decode(yaml: """
        nodes:
          - {name: a, gpus: 8}
          - {name: b, gpus: 4}
        """)
        #expect(spec.totalGPUs == 12)
        #expect(spec.nodeSnapshots.map(\.gpus) == [Array(0..<8), Array(0..<4)])
        #expect(ClusterSpec.default.totalGPUs == 32)

        let duplicate = try #require(throws: SimulationFileError.self) {
            try ClusterSpec.decode(yaml: "nodes:\n  - {name: a, gpus: 8}\n  - {name: a, gpus: 8}\n", source: "c.yaml")
        }
        #expect(duplicate.key == "nodes[1].name")
        #expect(duplicate.source == "c.yaml")
        let missing = try #require(throws: SimulationFileError.self) {
            try ClusterSpec.decode(yaml: "nodes:\n  - {name: a}\n", source: "c.yaml")
        }
        #expect(missing.key == "nodes[0].gpus")
    }
}
