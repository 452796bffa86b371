/// How the simulated router picks a prefill instance. Decode always goes to the least loaded.
public enum PrefillRouting: String, Sendable, Hashable, CaseIterable {
    /// In turn, whatever their load or cache (a plain load balancer).
    case roundRobin = "round-robin"
    /// The least outstanding prompt tokens (the default; what the simulator always did).
    case leastLoaded = "least-loaded"
    /// The least work before this prompt's first token: outstanding tokens plus the part of
    /// the prompt the instance has not cached. Among equally loaded instances the longest
    /// cached prefix wins, and a cached prefix is worth as much queue as it saves compute (the
    /// cost Dynamo's KV router and SGLang's cache-aware router balance).
    case cacheAware = "cache-aware"
}
