import FulcrumCore

/// Derives a `Profile` from public hardware figures, the model's shape and explicit
/// utilisation factors, so that every number of a built-in profile can be traced to a datasheet
/// or an architecture table instead of being a magic constant.
///
/// The roofline argument:
/// - Prefill is compute-bound: every prompt token costs `2·params` FLOP in the matmuls, plus
///   causal attention `2·layers·queryWidth·L²` FLOP per prompt of `L` tokens (QKᵀ and PV,
///   `2·L²·width` each, halved by the causal mask). Time = FLOP / (GPUs·peak·MFU).
/// - Decode is memory-bound: each step reads all weights once (`a`), each sequence adds its
///   share of matmul compute at a low efficiency, since small-M GEMMs are far from peak (`b`),
///   and every context token's KV cache is read once per step (`c`).
/// - A prefill batch also pays one weights pass plus launch overhead. Adding it rather than
///   overlapping it with compute is conservative by a few per cent at full batches and right
///   for the short ones that dominate at low load.
public enum RooflineDerivation {
    /// Datasheet figures of one accelerator.
    public struct Accelerator: Sendable, Hashable {
        public var name: String
        /// Dense BF16 tensor throughput, FLOP/s (no sparsity).
        public var peakFLOPs: Double
        /// HBM bandwidth, bytes/s.
        public var memoryBytesPerSecond: Double
        /// HBM capacity, bytes.
        public var memoryBytes: Double

        public init(name: String, peakFLOPs: Double, memoryBytesPerSecond: Double, memoryBytes: Double) {
            self.name = name
            self.peakFLOPs = peakFLOPs
            self.memoryBytesPerSecond = memoryBytesPerSecond
            self.memoryBytes = memoryBytes
        }

        /// H100 SXM5: 989 TFLOP/s dense BF16, 3.35 TB/s HBM3, 80 GB.
        public static let h100SXM = Accelerator(name: "H100 SXM", peakFLOPs: 989e12, memoryBytesPerSecond: 3.35e12, memoryBytes: 80e9)
        /// H200 SXM: same Hopper compute as H100 (989 TFLOP/s), 4.8 TB/s HBM3e, 141 GB.
        public static let h200 = Accelerator(name: "H200", peakFLOPs: 989e12, memoryBytesPerSecond: 4.8e12, memoryBytes: 141e9)
    }

    /// The architecture numbers that set FLOP, weight bytes and KV bytes.
    public struct ModelShape: Sendable, Hashable {
        public var name: String
        /// Parameters that every token passes through (all of them for a dense model).
        public var parameters: Double
        public var layers: Int
        /// Query heads × head dim (the attention width the score matmuls run over).
        public var queryWidth: Int
        public var kvHeads: Int
        public var headDim: Int
        /// BF16 weights and KV cache: 2 bytes each.
        public var bytesPerWeight: Double = 2
        public var bytesPerKVElement: Double = 2

        public init(name: String, parameters: Double, layers: Int, queryWidth: Int, kvHeads: Int, headDim: Int) {
            self.name = name
            self.parameters = parameters
            self.layers = layers
            self.queryWidth = queryWidth
            self.kvHeads = kvHeads
            self.headDim = headDim
        }

        /// K and V, every layer, every KV head: `2·layers·kvHeads·headDim·bytes`.
        public var kvBytesPerToken: Double {
            2 * Double(layers * kvHeads * headDim) * bytesPerKVElement
        }

        public var weightBytes: Double { parameters * bytesPerWeight }
    }

    /// How far from the datasheet the engine runs, and the serving configuration.
    public struct Assumptions: Sendable, Hashable {
        /// Model FLOP utilisation of prefill (large GEMMs; tensor parallelism costs some).
        public var prefillMFU: Double
        /// Efficiency of the per-sequence decode GEMM work (skinny matmuls).
        public var decodeComputeEfficiency: Double
        /// Fraction of HBM bandwidth a decode step achieves.
        public var memoryBandwidthEfficiency: Double
        /// vLLM `gpu_memory_utilization`.
        public var memoryUtilization: Double = 0.9
        /// Per GPU: activations, CUDA graphs, NCCL buffers, not available to the KV cache.
        public var activationReserveBytesPerGPU: Double = 4e9
        /// Launches plus tensor-parallel all-reduce latency per step or batch.
        public var launchOverheadSeconds: Double
        /// Scheduler, sampling and detokenisation per sequence per step.
        public var perSequenceOverheadSeconds: Double = 1e-5
        /// One 400 Gb/s InfiniBand NIC per GPU = 50 GB/s.
        public var nicBytesPerSecondPerGPU: Double = 400e9 / 8
        /// Achieved fraction of NIC line rate for large RDMA transfers.
        public var linkEfficiency: Double = 0.8
        public var maxBatchTokens: Int = 8192
        public var maxBatch: Int = 256
        public var startupSeconds: Double

        public init(
            prefillMFU: Double,
            decodeComputeEfficiency: Double,
            memoryBandwidthEfficiency: Double,
            launchOverheadSeconds: Double,
            startupSeconds: Double
        ) {
            self.prefillMFU = prefillMFU
            self.decodeComputeEfficiency = decodeComputeEfficiency
            self.memoryBandwidthEfficiency = memoryBandwidthEfficiency
            self.launchOverheadSeconds = launchOverheadSeconds
            self.startupSeconds = startupSeconds
        }
    }

    /// The profile of `shape` on `gpus`-GPU instances (the same tensor-parallel size for both
    /// roles) of `accelerator`.
    public static func profile(
        name: String,
        model: String,
        shape: ModelShape,
        accelerator: Accelerator,
        gpusPerInstance gpus: Int,
        assumptions: Assumptions
    ) -> Profile {
        let instanceGPUs = Double(gpus)
        let prefillFLOPs = instanceGPUs * accelerator.peakFLOPs * assumptions.prefillMFU
        let decodeFLOPs = instanceGPUs * accelerator.peakFLOPs * assumptions.decodeComputeEfficiency
        let bandwidth = instanceGPUs * accelerator.memoryBytesPerSecond * assumptions.memoryBandwidthEfficiency
        let weightsPass = shape.weightBytes / bandwidth
        let flopPerToken = 2 * shape.parameters
        let attentionFLOPPerTokenSquared = 2 * Double(shape.layers * shape.queryWidth)

        let usableMemory = instanceGPUs * (accelerator.memoryBytes * assumptions.memoryUtilization - assumptions.activationReserveBytesPerGPU)
        let kvCapacity = (usableMemory - shape.weightBytes) / shape.kvBytesPerToken

        return Profile(
            name: name,
            model: model,
            gpusPerInstance: PerRole(repeating: gpus),
            prefill: PrefillTimeModel(
                batchOverheadSeconds: assumptions.launchOverheadSeconds + weightsPass,
                perTokenSeconds: flopPerToken / prefillFLOPs,
                attentionPerTokenSquaredSeconds: attentionFLOPPerTokenSquared / prefillFLOPs,
                maxBatchTokens: assumptions.maxBatchTokens
            ),
            decode: DecodeStepModel(
                stepBaseSeconds: assumptions.launchOverheadSeconds + weightsPass,
                stepPerSequenceSeconds: flopPerToken / decodeFLOPs + assumptions.perSequenceOverheadSeconds,
                stepPerContextTokenSeconds: shape.kvBytesPerToken / bandwidth,
                kvCapacityTokens: Int(max(0, kvCapacity).rounded(.down)),
                maxBatch: assumptions.maxBatch
            ),
            kvBytesPerToken: shape.kvBytesPerToken,
            // The receiving decode instance's NICs bound the transfer: one NIC per GPU.
            kvTransferBytesPerSecond: instanceGPUs * assumptions.nicBytesPerSecondPerGPU * assumptions.linkEfficiency,
            startupSeconds: assumptions.startupSeconds
        )
    }
}
