/// The configuration document the configuration and daemon tests start from.
public enum ConfigurationFixtures {
    public static let minimal = """
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
