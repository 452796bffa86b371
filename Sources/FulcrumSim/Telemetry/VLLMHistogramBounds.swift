/// The bucket upper bounds vLLM exports, so simulated histograms have the same resolution (and
/// the same interpolation error) as the ones a real scrape gives the controller.
public enum VLLMHistogramBounds {
    /// `vllm:time_to_first_token_seconds`.
    public static let timeToFirstToken: [Double] = [
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
        1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560,
    ]

    /// `vllm:inter_token_latency_seconds` (formerly `time_per_output_token_seconds`).
    public static let interTokenLatency: [Double] = [
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75,
        1, 2.5, 5, 7.5, 10, 20, 40, 80,
    ]
}
