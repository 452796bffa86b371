extension Profile {
    /// The profile as a commented YAML file in the schema `Profile.load` reads: a template for
    /// an operator's own profile. Numbers are written in Swift's shortest exact form, so
    /// reading the text back gives the identical profile (Yams' own encoder rounds some).
    public var yamlText: String {
        func number(_ value: Double) -> String { "\(value)" }
        return """
        # Fulcrum simulator profile: \(model)
        name: \(quoted(name))
        model: \(quoted(model))
        gpus_per_instance: {prefill: \(gpusPerInstance.prefill), decode: \(gpusPerInstance.decode)}
        prefill:
          # batch seconds = overhead + per_token·tokens + attention·Σ((offset+chunk)² − offset²)
          batch_overhead_s: \(number(prefill.batchOverheadSeconds))
          per_token_s: \(number(prefill.perTokenSeconds))
          attention_per_token_squared_s: \(number(prefill.attentionPerTokenSquaredSeconds))
          max_batch_tokens: \(prefill.maxBatchTokens)
        decode:
          # step seconds = a + b·batch + c·Σcontext
          step_base_s: \(number(decode.stepBaseSeconds))
          step_per_sequence_s: \(number(decode.stepPerSequenceSeconds))
          step_per_context_token_s: \(number(decode.stepPerContextTokenSeconds))
          kv_capacity_tokens: \(decode.kvCapacityTokens)
          max_batch: \(decode.maxBatch)
        kv_bytes_per_token: \(number(kvBytesPerToken))
        kv_transfer_bytes_per_s: \(number(kvTransferBytesPerSecond))
        startup_s: \(number(startupSeconds))

        """
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
