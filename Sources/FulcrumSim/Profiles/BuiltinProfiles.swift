/// Profiles that ship with the simulator, each derived by `RooflineDerivation` from public
/// figures. The derived numbers are quoted in the comments so a reader can check them by hand.
extension Profile {
    /// Every built-in profile, by name.
    public static let builtins: [String: Profile] = [
        llama3_8B_H100.name: llama3_8B_H100,
        llama3_70B_H100_TP4.name: llama3_70B_H100_TP4,
        llama3_405B_H200_TP8.name: llama3_405B_H200_TP8,
    ]

    /// Llama 3.1 8B (dense) on one H100 SXM per instance.
    ///
    /// Shape: 8.03 B params, 32 layers, 32 query heads × 128 = 4096 wide, 8 KV heads × 128.
    /// - KV bytes/token = 2·32·8·128·2 B = 131 072 B (128 KiB).
    /// - Weights = 8.03e9 · 2 B = 16.06 GB.
    /// - Prefill at MFU 0.5: 2·8.03e9 FLOP / (989e12·0.5) = 3.25e-5 s/token (≈ 30.8 k tokens/s);
    ///   attention 2·32·4096 = 262 144 FLOP/token² → 5.3e-10 s/token².
    /// - Weights pass at 80 % of 3.35 TB/s: 16.06e9 / 2.68e12 = 6.0 ms, + 1 ms launches
    ///   → decode a = prefill batch overhead = 7.0 ms.
    /// - Decode b at 30 % GEMM efficiency: 16.06e9 / 296.7e12 = 5.4e-5 s + 1e-5 s scheduling = 6.4e-5 s.
    /// - Decode c: 131 072 B / 2.68e12 B/s = 4.9e-8 s per context token.
    /// - KV capacity: 80 GB·0.9 − 4 GB reserve − 16.06 GB weights = 51.9 GB → 396 k tokens.
    /// - KV link: one 400 Gb/s NIC · 0.8 = 40 GB/s (a 2 k-token prompt moves in 6.7 ms).
    /// - Start-up 120 s: container start, 16 GB weight load, CUDA-graph capture.
    public static let llama3_8B_H100 = RooflineDerivation.profile(
        name: "llama3-8b-h100",
        model: "meta-llama/Llama-3.1-8B-Instruct",
        shape: .init(name: "Llama-3.1-8B", parameters: 8.03e9, layers: 32, queryWidth: 4096, kvHeads: 8, headDim: 128),
        accelerator: .h100SXM,
        gpusPerInstance: 1,
        assumptions: .init(
            prefillMFU: 0.5,
            decodeComputeEfficiency: 0.3,
            memoryBandwidthEfficiency: 0.8,
            launchOverheadSeconds: 0.001,
            startupSeconds: 120
        )
    )

    /// Llama 3.1 70B (dense), tensor-parallel over 4 H100 SXM per instance, both roles.
    ///
    /// Shape: 70.6 B params, 80 layers, 64 query heads × 128 = 8192 wide, 8 KV heads × 128.
    /// - KV bytes/token = 2·80·8·128·2 B = 327 680 B (320 KiB).
    /// - Weights = 141.2 GB (35.3 GB per GPU).
    /// - Prefill at MFU 0.45 (TP all-reduces cost some): 141.2e9 FLOP / (4·989e12·0.45) =
    ///   7.9e-5 s/token (≈ 12.6 k tokens/s); attention 2·80·8192 FLOP/token² → 7.4e-10 s/token².
    /// - Weights pass at 75 % of 4·3.35 TB/s: 141.2e9 / 10.05e12 = 14.0 ms, + 2 ms launches and
    ///   160 all-reduces per step → decode a = prefill batch overhead = 16.0 ms.
    /// - Decode b: 141.2e9 / (4·989e12·0.3) = 1.19e-4 s + 1e-5 s = 1.29e-4 s.
    /// - Decode c: 327 680 B / 10.05e12 B/s = 3.3e-8 s per context token.
    /// - KV capacity: 4·(72 − 4) GB − 141.2 GB = 130.8 GB → 399 k tokens.
    /// - KV link: four NICs · 50 GB/s · 0.8 = 160 GB/s.
    /// - Start-up 300 s: 141 GB of weights, sharded load, graph capture on 4 ranks.
    public static let llama3_70B_H100_TP4 = RooflineDerivation.profile(
        name: "llama3-70b-h100-tp4",
        model: "meta-llama/Llama-3.1-70B-Instruct",
        shape: .init(name: "Llama-3.1-70B", parameters: 70.6e9, layers: 80, queryWidth: 8192, kvHeads: 8, headDim: 128),
        accelerator: .h100SXM,
        gpusPerInstance: 4,
        assumptions: .init(
            prefillMFU: 0.45,
            decodeComputeEfficiency: 0.3,
            memoryBandwidthEfficiency: 0.75,
            launchOverheadSeconds: 0.002,
            startupSeconds: 300
        )
    )

    /// Llama 3.1 405B (dense, BF16), tensor-parallel over 8 H200 per instance (one node).
    ///
    /// Shape: 405 B params, 126 layers, 128 query heads × 128 = 16 384 wide, 8 KV heads × 128.
    /// - KV bytes/token = 2·126·8·128·2 B = 516 096 B (504 KiB).
    /// - Weights = 810 GB (101 GB per GPU, fits the H200's 141 GB, not the H100's 80 GB).
    /// - Prefill at MFU 0.4: 810e9 FLOP / (8·989e12·0.4) = 2.56e-4 s/token (≈ 3.9 k tokens/s);
    ///   attention 2·126·16384 FLOP/token² → 1.3e-9 s/token².
    /// - Weights pass at 75 % of 8·4.8 TB/s: 810e9 / 28.8e12 = 28.1 ms, + 3 ms launches and
    ///   all-reduces → decode a = prefill batch overhead = 31.1 ms.
    /// - Decode b: 810e9 / (8·989e12·0.3) = 3.4e-4 s + 1e-5 s = 3.5e-4 s.
    /// - Decode c: 516 096 B / 28.8e12 B/s = 1.8e-8 s per context token.
    /// - KV capacity: 8·(141·0.9 − 4) GB − 810 GB = 173 GB → 336 k tokens.
    /// - KV link: eight NICs · 50 GB/s · 0.8 = 320 GB/s.
    /// - Start-up 600 s: 810 GB of weights over the node's storage, 8-rank graph capture.
    public static let llama3_405B_H200_TP8 = RooflineDerivation.profile(
        name: "llama3-405b-h200-tp8",
        model: "meta-llama/Llama-3.1-405B-Instruct",
        shape: .init(name: "Llama-3.1-405B", parameters: 405e9, layers: 126, queryWidth: 16384, kvHeads: 8, headDim: 128),
        accelerator: .h200,
        gpusPerInstance: 8,
        assumptions: .init(
            prefillMFU: 0.4,
            decodeComputeEfficiency: 0.3,
            memoryBandwidthEfficiency: 0.75,
            launchOverheadSeconds: 0.003,
            startupSeconds: 600
        )
    )
}
