/// Configuration documents the daemon's tests start from (the reader itself is tested in
/// FulcrumConfigurationTests).
enum ConfigurationFixtures {
    static let minimal = """
    nodes:
      - name: gpu-a
        gpus: [0, 1, 2, 3]
        systemd: user
    workers:
      prefill: {template: llm-prefill@.service, gpus_per_instance: 1}
      decode: {template: llm-decode@.service, gpus_per_instance: 2}
    slo: {ttft: 1.5s, tpot: 40ms}
    """
}
