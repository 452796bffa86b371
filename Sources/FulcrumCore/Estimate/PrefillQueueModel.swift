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
/// coefficient of variation (burstiness) and cs² the prompts'. A prompt of service time s
/// meets target T when it waits at most T − s, so long prompts have less slack than short
/// ones: prompts are taken at evenly spaced quantiles of a lognormal with the measured mean
/// and cs², those no instance can serve in time are left out (no count of instances helps
/// them), and TTFT meets its target at percentile q when the share of the rest that waits past
/// its slack is at most 1 − q. Sized on the mean prompt's slack instead, a long-context tier
/// was planned at 6 instances where 9 met the target.
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
        let services = PromptQuantiles.feasibleServiceTimes(mean: service, scv: input.serviceSCV, target: input.ttftTargetSeconds)
        guard load > 0 else { return 0 }
        // Beyond a million instances' worth the queueing headroom is lost in the load itself;
        // only a bogus reading gets there, and it must not stall the tick counting servers.
        guard load <= 1e6 else { return load }
        let allowed = max(1e-9, 1 - min(max(input.percentile, 0), 1))
        var previous = (count: load, logTail: 0.0)
        var count = Int(load.rounded(.down)) + 1
        while count < Int(load) + 100_000 {
            let logTail = logMissShare(servers: count, load: load, services: services, input: input)
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

    /// log of the share of prompts (service times `services`, equally likely) that wait past
    /// the slack their own service time leaves, with `servers` > load:
    /// P(wait > t) ≈ C(n, a) · exp(−(n − a) · t / S · 2 / (ca² + cs²)) at t = T − s.
    static func logMissShare(servers: Int, load: Double, services: [Double], input: Input) -> Double {
        let variability = max(1e-6, (max(0, input.arrivalSCV) + max(0, input.serviceSCV)) / 2)
        let rate = (Double(servers) - load) / input.serviceSeconds / variability
        let logWaits = Double.log(max(1e-300, erlangC(servers: servers, load: load)))
        let share = services.reduce(0) { $0 + Double.exp(logWaits - rate * (input.ttftTargetSeconds - $1)) } / Double(services.count)
        return Double.log(max(1e-300, share))
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

/// Service times of prompts at evenly spaced quantiles of a lognormal length distribution with
/// a given mean and squared coefficient of variation. Lognormal because measured prompt
/// lengths are (chat, code and long-context traces alike); service time is taken as
/// proportional to length, which the attention-priced capacity makes the mean right for.
enum PromptQuantiles {
    static let count = 32
    /// Standard normal quantiles at (i + ½) / count, by bisection on erfc once.
    static let normal: [Double] = (0..<count).map { index in
        let p = (Double(index) + 0.5) / Double(count)
        var low = -10.0
        var high = 10.0
        for _ in 0..<60 {
            let middle = (low + high) / 2
            if 0.5 * Double.erfc(-middle / 2.0.squareRoot()) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// The quantiles' service times that are shorter than `target`; the mean alone for prompts
    /// of (almost) equal length or when none is.
    static func feasibleServiceTimes(mean: Double, scv: Double, target: Double) -> [Double] {
        guard scv > 0.01 else { return [mean] }
        let sigma = Double.log(1 + scv).squareRoot()
        let mu = Double.log(mean) - sigma * sigma / 2
        let services = normal.map { Double.exp(mu + sigma * $0) }.filter { $0 < target }
        return services.isEmpty ? [mean] : services
    }
}
