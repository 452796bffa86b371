import RealModule

/// How many prefill instances keep TTFT within target: the prefill tier as one pooled queue.
///
/// The router sends each prompt to the least-loaded instance, so n instances behave like one
/// queue with n servers, not like n separate queues: a clump that would swamp one instance is
/// spread over all of them. Sizing each instance as its own single-server queue (as Fulcrum
/// once did) asks for two to three times the instances a pooled tier needs at the same tail.
///
/// The model is Erlang C (M/M/n) with the Allen–Cunneen correction for general arrivals and
/// service: P(wait > t) ≈ C(n, a) · exp(−(n − a) · t / S · 2 / (ca² + cs²)), where a is the
/// offered load in instances, S the service time of a mean prompt, ca² the arrivals' squared
/// coefficient of variation (burstiness) and cs² the prompts'. TTFT meets target T at
/// percentile q when P(wait > T − S) ≤ 1 − q.
public enum PrefillQueueModel {
    public struct Input: Sendable, Hashable {
        /// Demand ÷ capacity of one instance: instances busy on average.
        public var offeredLoad: Double
        /// Seconds one mean prompt takes on an idle instance.
        public var serviceSeconds: Double
        public var ttftTargetSeconds: Double
        /// Share of requests that must meet the target, 0…1.
        public var percentile: Double
        /// ca²: 1 for Poisson arrivals, more for clumped ones.
        public var arrivalSCV: Double
        /// cs²: 1 for prompt lengths as varied as an exponential distribution.
        public var serviceSCV: Double = 1

        public init(offeredLoad: Double, serviceSeconds: Double, ttftTargetSeconds: Double, percentile: Double, arrivalSCV: Double, serviceSCV: Double = 1) {
            self.offeredLoad = offeredLoad
            self.serviceSeconds = serviceSeconds
            self.ttftTargetSeconds = ttftTargetSeconds
            self.percentile = percentile
            self.arrivalSCV = arrivalSCV
            self.serviceSCV = serviceSCV
        }
    }

    /// The continuous number of instances at which the tail just meets the target (≥ the
    /// offered load), interpolated between whole counts on the logarithm of the tail so the
    /// need moves smoothly with demand; nil when the mean prompt alone takes longer than the
    /// target, which no number of instances can fix.
    public static func instancesNeeded(_ input: Input) -> Double? {
        let load = max(0, input.offeredLoad.finiteOr(0))
        let service = input.serviceSeconds
        let slack = input.ttftTargetSeconds - service
        guard service > 0, slack > 0 else { return nil }
        guard load > 0 else { return 0 }
        let allowed = max(1e-9, 1 - min(max(input.percentile, 0), 1))
        var previous = (count: load, logTail: 0.0)
        var count = Int(load.rounded(.down)) + 1
        while count < Int(load) + 100_000 {
            let logTail = logWaitTail(servers: count, load: load, wait: slack, input: input)
            if logTail <= Double.log(allowed) {
                let span = previous.logTail - logTail
                let fraction = span > 0 ? (previous.logTail - Double.log(allowed)) / span : 1
                return previous.count + (Double(count) - previous.count) * min(1, max(0, fraction))
            }
            previous = (Double(count), logTail)
            count += 1
        }
        return Double(count)
    }

    /// log P(wait > t) with `servers` > load.
    static func logWaitTail(servers: Int, load: Double, wait: Double, input: Input) -> Double {
        let variability = max(1e-6, (max(0, input.arrivalSCV) + max(0, input.serviceSCV)) / 2)
        let decay = (Double(servers) - load) * wait / input.serviceSeconds / variability
        return Double.log(max(1e-300, erlangC(servers: servers, load: load))) - decay
    }

    /// Probability that an arrival waits in M/M/n at offered load `load` < n, from the Erlang B
    /// recursion (stable for thousands of servers, unlike the textbook sum of powers).
    public static func erlangC(servers: Int, load: Double) -> Double {
        guard servers > 0, load > 0 else { return 0 }
        guard load < Double(servers) else { return 1 }
        var blocking = 1.0
        for k in 1...servers {
            blocking = load * blocking / (Double(k) + load * blocking)
        }
        let n = Double(servers)
        return n * blocking / (n - load * (1 - blocking))
    }
}
