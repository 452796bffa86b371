import Foundation

extension Profile {
    /// Loads a profile from a YAML file (schema on `Profile`).
    public static func load(path: String) throws -> Profile {
        let profile = try YAMLConfigurationLoader.load(Profile.self, path: path)
        try profile.validate(source: path)
        return profile
    }

    /// Decodes a profile from YAML text; `source` names it in errors.
    public static func decode(yaml: String, source: String = "<profile>") throws -> Profile {
        let profile = try YAMLConfigurationLoader.decode(Profile.self, yaml: yaml, source: source)
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

    /// Rejects values the engine cannot run with (a zero bandwidth, a batch of no tokens).
    public func validate(source: String) throws {
        let check = ConfigurationValidator(source: source)
        try check.requirePositive(gpusPerInstance.prefill, "gpus_per_instance.prefill")
        try check.requirePositive(gpusPerInstance.decode, "gpus_per_instance.decode")
        try check.requireNonNegative(prefill.batchOverheadSeconds, "prefill.batch_overhead_s")
        try check.requireNonNegative(prefill.perTokenSeconds, "prefill.per_token_s")
        try check.requireNonNegative(prefill.attentionPerTokenSquaredSeconds, "prefill.attention_per_token_squared_s")
        try check.requirePositive(prefill.maxBatchTokens, "prefill.max_batch_tokens")
        // A batch that takes no time would let the event loop spin without advancing the clock.
        try check.requirePositive(prefill.batchSeconds(tokens: 1, attentionWork: 1), "prefill.per_token_s")
        try check.requirePositive(decode.stepBaseSeconds, "decode.step_base_s")
        try check.requireNonNegative(decode.stepPerSequenceSeconds, "decode.step_per_sequence_s")
        try check.requireNonNegative(decode.stepPerContextTokenSeconds, "decode.step_per_context_token_s")
        try check.requirePositive(decode.kvCapacityTokens, "decode.kv_capacity_tokens")
        try check.requirePositive(decode.maxBatch, "decode.max_batch")
        try check.requireNonNegative(kvBytesPerToken, "kv_bytes_per_token")
        try check.requirePositive(kvTransferBytesPerSecond, "kv_transfer_bytes_per_s")
        try check.requireNonNegative(startupSeconds, "startup_s")
    }
}
