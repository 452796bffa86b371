/// A KV tier in host memory behind each prefill worker's GPU cache (LMCache's CPU backend,
/// Mooncake's store): how much it holds and how fast it copies blocks back to the GPU. The GPU
/// cache alone keeps about half a minute of a busy instance's prompts; a conversation's next
/// turn usually comes later, so without this tier most re-sent history is computed again.
public struct HostKVCache: Sendable, Hashable {
    /// Host-to-GPU copy rate assumed when none is given: half of PCIe 5.0 ×16's 64 GB/s a
    /// direction, for pinned copies sharing the link with the engine's own traffic.
    public static let defaultLoadBytesPerSecond = 32e9

    /// Bytes of host memory each prefill worker gives the tier.
    public var bytesPerWorker: Double
    /// Host-to-GPU copy rate, bytes per second.
    public var loadBytesPerSecond: Double

    public init(bytesPerWorker: Double, loadBytesPerSecond: Double = Self.defaultLoadBytesPerSecond) {
        self.bytesPerWorker = bytesPerWorker
        self.loadBytesPerSecond = loadBytesPerSecond
    }

    /// Whole prefix blocks the tier holds for a model whose tokens take `kvBytesPerToken`.
    func capacityBlocks(kvBytesPerToken: Double, blockTokens: Int) -> Int {
        guard kvBytesPerToken > 0 else { return 0 }
        return Int((bytesPerWorker / (kvBytesPerToken * Double(blockTokens))).rounded(.down))
    }

    /// Seconds to copy `tokens` tokens' KV back to the GPU.
    func loadSeconds(tokens: Int, kvBytesPerToken: Double) -> Double {
        Double(tokens) * kvBytesPerToken / loadBytesPerSecond
    }
}
