import Foundation

extension Profile {
    /// Loads a profile from a YAML file (schema on `Profile`).
    public static func load(path: String) throws -> Profile {
        let profile = try YAMLConfigurationLoader.load(Profile.self, path: path, retiredKeys: retiredKeys)
        try profile.validate(source: path)
        return profile
    }

    /// Keys profiles once had: `typical_prompt_tokens` went when the priors gained the
    /// attention term; files that still name it load, and it changes nothing.
    static let retiredKeys: Set<String> = ["typical_prompt_tokens"]

    /// Decodes a profile from YAML text; `source` names it in errors.
    public static func decode(yaml: String, source: String = "<profile>") throws -> Profile {
        let profile = try YAMLConfigurationLoader.decode(Profile.self, yaml: yaml, source: source, retiredKeys: retiredKeys)
        try profile.validate(source: source)
        return profile
    }

    /// A built-in name, or else a YAML file path.
    public static func named(_ nameOrPath: String) throws -> Profile {
        if let builtin = builtins[nameOrPath] { return builtin }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            let names = builtins.keys.sorted().joined(separator: ", ")
            throw SimulationFileError(source: nameOrPath, key: "", problem: "no bundled profile has this name (\(names)) and no file has this path; run 'fulcrum-sim profiles' to see the bundled ones")
        }
        return try load(path: nameOrPath)
    }

    /// Rejects values the engine cannot run with (a zero bandwidth, a batch of no tokens), and
    /// values no hardware has (a token taking a second, an exabyte of KV per token), which would
    /// only make every request miss without saying why.
    public func validate(source: String) throws {
        let check = ConfigurationValidator(source: source)
        try check.require(gpusPerInstance.prefill, within: 1...64, "gpus_per_instance.prefill")
        try check.require(gpusPerInstance.decode, within: 1...64, "gpus_per_instance.decode")
        try check.require(prefill.batchOverheadSeconds, within: 0...60, "prefill.batch_overhead_s")
        try check.require(prefill.perTokenSeconds, within: 0...1, "prefill.per_token_s")
        try check.require(prefill.attentionPerTokenSquaredSeconds, within: 0...1, "prefill.attention_per_token_squared_s")
        try check.require(prefill.maxBatchTokens, within: 1...100_000_000, "prefill.max_batch_tokens")
        // A batch that takes no time would let the event loop spin without advancing the clock.
        try check.requirePositive(prefill.batchSeconds(tokens: 1, attentionWork: 1), "prefill.per_token_s")
        try check.require(decode.stepBaseSeconds, within: 1e-9...10, "decode.step_base_s")
        try check.require(decode.stepPerSequenceSeconds, within: 0...1, "decode.step_per_sequence_s")
        try check.require(decode.stepPerContextTokenSeconds, within: 0...1, "decode.step_per_context_token_s")
        try check.require(decode.kvCapacityTokens, within: 1...10_000_000_000, "decode.kv_capacity_tokens")
        try check.require(decode.maxBatch, within: 1...1_000_000, "decode.max_batch")
        try check.require(kvBytesPerToken, within: 0...1e9, "kv_bytes_per_token")
        try check.require(kvTransferBytesPerSecond, within: 1e3...1e15, "kv_transfer_bytes_per_s")
        try check.require(startupSeconds, within: 0...86_400, "startup_s")
    }
}
