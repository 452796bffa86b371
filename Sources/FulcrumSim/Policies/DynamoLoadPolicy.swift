import FulcrumCore

/// What one adjustment of `dynamo-load` saw and did.
public struct DynamoLoadAdjustment: Sendable, Hashable {
    public var time: Timestamp
    /// Mean prefill queue over the interval's samples; `nil` without samples.
    public var averagePrefillQueue: Double?
    /// Mean decode KV load over the interval's per-worker samples; `nil` without samples.
    public var averageKVLoad: Double?
    /// `false` when the ready worker counts changed during the interval (Dynamo then skips).
    public var workersUnchanged: Bool
    /// Replica counts asked for before and after.
    public var before: PerRole<Int>
    public var after: PerRole<Int>
    /// Decode grace intervals left after this adjustment.
    public var decodeGraceRemaining: Int
}

/// NVIDIA Dynamo's load-based planner (the threshold planner of `planner.py` / `LoadPlannerDefaults`).
///
/// Every metric-pulling interval it samples the prefill queue (requests waiting for a prefill
/// worker) and each decode worker's KV-cache utilisation; every adjustment interval it compares
/// the interval means with fixed thresholds and moves each role by at most one worker, never
/// scales decode down for a grace period after adding a decode worker, does not add a prefill
/// worker when the queue's trend says it will drain by itself, respects the GPU budget, and
/// blocks until added workers are ready. Sources and simplifications: docs/baselines.md.
public struct DynamoLoadPolicy: ScalingPolicy {
    public struct Configuration: Sendable, Hashable {
        /// `adjustment_interval`, seconds (`BasePlannerDefaults`: 180).
        public var adjustmentInterval: Double
        /// `metric_pulling_interval`, seconds (`LoadPlannerDefaults`: 10). Also the tick interval.
        public var metricPullingInterval: Double
        public var minEndpoint: Int
        /// `max_gpu_budget`; `nil` uses the placement's `maxTotalGPUs`.
        public var maxGPUBudget: Int?
        public var decodeKVScaleUpThreshold: Double
        public var decodeKVScaleDownThreshold: Double
        public var prefillQueueScaleUpThreshold: Double
        public var prefillQueueScaleDownThreshold: Double
        /// `NEW_DECODE_WORKER_GRACE_PERIOD` (3 adjustment intervals).
        public var newDecodeWorkerGracePeriod: Int
        /// `NEW_PREFILL_WORKER_QUEUE_BUFFER_PERIOD` (3 adjustment intervals).
        public var newPrefillWorkerQueueBufferPeriod: Int
        /// KV fraction assumed per waiting request when estimating the load after scheduling (0.02).
        public var kvPerWaitingRequest: Double
        /// Replica counts of the initial deployment; `nil` takes what is running at the first
        /// tick (at least `minEndpoint` each).
        public var initial: PerRole<Int>?

        public init(
            adjustmentInterval: Double = 180,
            metricPullingInterval: Double = 10,
            minEndpoint: Int = 1,
            maxGPUBudget: Int? = nil,
            decodeKVScaleUpThreshold: Double = 0.9,
            decodeKVScaleDownThreshold: Double = 0.5,
            prefillQueueScaleUpThreshold: Double = 5.0,
            prefillQueueScaleDownThreshold: Double = 0.2,
            newDecodeWorkerGracePeriod: Int = 3,
            newPrefillWorkerQueueBufferPeriod: Int = 3,
            kvPerWaitingRequest: Double = 0.02,
            initial: PerRole<Int>? = nil
        ) {
            self.adjustmentInterval = adjustmentInterval
            self.metricPullingInterval = metricPullingInterval
            self.minEndpoint = minEndpoint
            self.maxGPUBudget = maxGPUBudget
            self.decodeKVScaleUpThreshold = decodeKVScaleUpThreshold
            self.decodeKVScaleDownThreshold = decodeKVScaleDownThreshold
            self.prefillQueueScaleUpThreshold = prefillQueueScaleUpThreshold
            self.prefillQueueScaleDownThreshold = prefillQueueScaleDownThreshold
            self.newDecodeWorkerGracePeriod = newDecodeWorkerGracePeriod
            self.newPrefillWorkerQueueBufferPeriod = newPrefillWorkerQueueBufferPeriod
            self.kvPerWaitingRequest = kvPerWaitingRequest
            self.initial = initial
        }
    }

    public let name = "dynamo-load"
    public let configuration: Configuration
    public var tickInterval: Double { configuration.metricPullingInterval }

    /// The replica counts currently asked for (the deployment spec).
    public private(set) var target: PerRole<Int>?
    public private(set) var decodeGraceRemaining = 0
    public private(set) var lastAdjustment: DynamoLoadAdjustment?

    private var intervalStart: Timestamp?
    private var readyAtIntervalStart = PerRole(repeating: 0)
    private var prefillQueueSamples: [Double] = []
    private var kvLoadSamples: [Double] = []
    /// Set after a scaling action: adjustments are blocking, so nothing is sampled or decided
    /// until no worker is starting any more.
    private var waitingForDeployment = false

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.adjustmentInterval > 0 && configuration.metricPullingInterval > 0, "intervals must be positive")
        self.configuration = configuration
    }

    public mutating func tick(snapshot: ClusterSnapshot, environment: PolicyEnvironment) -> PolicyOutput {
        let minimum = configuration.minEndpoint
        if target == nil {
            target = configuration.initial ?? PerRole(
                prefill: max(minimum, snapshot.baselineActiveCount(.prefill)),
                decode: max(minimum, snapshot.baselineActiveCount(.decode))
            )
        }
        step(snapshot: snapshot, environment: environment)
        let desired = target ?? PerRole(repeating: minimum)
        let plan = Planner.plan(desired: desired, snapshot: snapshot, constraints: environment.placement)
        return PolicyOutput(actions: plan.actions, desired: desired)
    }

    private mutating func step(snapshot: ClusterSnapshot, environment: PolicyEnvironment) {
        if waitingForDeployment {
            guard snapshot.baselineDeploymentReady else { return }
            waitingForDeployment = false
            intervalStart = nil
        }
        guard let start = intervalStart else {
            resetInterval(snapshot)
            collect(snapshot)
            return
        }
        collect(snapshot)
        // A small tolerance so that ticks landing on the interval boundary count.
        guard snapshot.time - start >= configuration.adjustmentInterval - 1e-6 else { return }
        let before = target
        makeAdjustment(snapshot: snapshot, environment: environment)
        if target != before {
            waitingForDeployment = true
            intervalStart = nil
        } else {
            resetInterval(snapshot)
            collect(snapshot)
        }
    }

    private mutating func resetInterval(_ snapshot: ClusterSnapshot) {
        intervalStart = snapshot.time
        readyAtIntervalStart = PerRole(prefill: snapshot.baselineCount(.prefill, .ready), decode: snapshot.baselineCount(.decode, .ready))
        prefillQueueSamples = []
        kvLoadSamples = []
    }

    /// One metric pull: the prefill queue (requests waiting at prefill workers, Dynamo's shared
    /// NATS prefill queue) and each ready decode worker's KV load, raised by the assumed
    /// footprint of its waiting requests when it is running some.
    private mutating func collect(_ snapshot: ClusterSnapshot) {
        var queue = 0.0
        for worker in snapshot.workers where worker.role == .prefill && worker.lifecycle == .ready {
            queue += worker.telemetry?.requestsWaiting ?? 0
        }
        prefillQueueSamples.append(queue)
        for worker in snapshot.workers where worker.role == .decode && worker.lifecycle == .ready {
            guard let telemetry = worker.telemetry, var load = telemetry.kvCacheUsage else { continue }
            if telemetry.requestsRunning > 0 && telemetry.requestsWaiting > 0 {
                load += configuration.kvPerWaitingRequest * telemetry.requestsWaiting
            }
            kvLoadSamples.append(load)
        }
    }

    private mutating func makeAdjustment(snapshot: ClusterSnapshot, environment: PolicyEnvironment) {
        let config = configuration
        let ready = PerRole(prefill: snapshot.baselineCount(.prefill, .ready), decode: snapshot.baselineCount(.decode, .ready))
        let before = target ?? ready
        let averageQueue = prefillQueueSamples.isEmpty ? nil : prefillQueueSamples.reduce(0, +) / Double(prefillQueueSamples.count)
        let averageKV = kvLoadSamples.isEmpty ? nil : kvLoadSamples.reduce(0, +) / Double(kvLoadSamples.count)
        var record = DynamoLoadAdjustment(
            time: snapshot.time,
            averagePrefillQueue: averageQueue,
            averageKVLoad: averageKV,
            workersUnchanged: ready == readyAtIntervalStart,
            before: before,
            after: before,
            decodeGraceRemaining: decodeGraceRemaining
        )
        defer { lastAdjustment = record }
        // "Decode/prefill workers changed, no adjustments will be made".
        guard record.workersUnchanged else { return }

        let gpus = environment.placement.gpusPerInstance
        let budget = config.maxGPUBudget ?? environment.placement.maxTotalGPUs
        var gpuUsage = ready.prefill * gpus.prefill + ready.decode * gpus.decode
        var next = before

        // Scale down first.
        if let averageQueue, averageQueue < config.prefillQueueScaleDownThreshold, ready.prefill > config.minEndpoint {
            next.prefill = max(0, next.prefill - 1)
            gpuUsage -= gpus.prefill
        }
        if let averageKV, averageKV < config.decodeKVScaleDownThreshold, ready.decode > config.minEndpoint,
           decodeGraceRemaining == 0 {
            next.decode = max(0, next.decode - 1)
            gpuUsage -= gpus.decode
        }
        // Then up, prefill first: prefill queueing also raises the decode KV load.
        if let averageQueue, averageQueue > config.prefillQueueScaleUpThreshold,
           gpuUsage + gpus.prefill <= budget,
           let first = prefillQueueSamples.first, let last = prefillQueueSamples.last {
            let predicted = last + (last - first) * Double(config.newPrefillWorkerQueueBufferPeriod)
            if predicted > config.prefillQueueScaleUpThreshold {
                next.prefill += 1
                gpuUsage += gpus.prefill
            }
        }
        if let averageKV, averageKV > config.decodeKVScaleUpThreshold, gpuUsage + gpus.decode <= budget {
            next.decode += 1
            gpuUsage += gpus.decode
            decodeGraceRemaining = config.newDecodeWorkerGracePeriod
        }
        if decodeGraceRemaining > 0 { decodeGraceRemaining -= 1 }

        target = next
        record.after = next
        record.decodeGraceRemaining = decodeGraceRemaining
    }
}
