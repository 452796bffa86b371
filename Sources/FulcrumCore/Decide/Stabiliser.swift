/// Damps recommendations the way the Kubernetes HPA does, per role: scale up at once, scale
/// down only to the largest recommendation seen over a window, ignore changes inside a
/// tolerance band, cap the step per tick, and do not move GPUs back between roles within a
/// cooldown of the last move.
public struct StabiliserState: Sendable, Hashable, Codable {
    public struct Recommendation: Sendable, Hashable, Codable {
        public var time: Timestamp
        public var count: Int
        /// Stands in for history the controller does not have (see `Stabiliser.remember`); it
        /// holds scale-downs back but never a scale-up.
        public var isSeed = false
    }

    public var history = PerRole<[Recommendation]>(repeating: [])
    /// The fleet the controller took over (ready plus starting at its first tick, set by
    /// `Controller.decide` or restored by `Controller.takeOver`): while it still learns the
    /// traffic, or the arrivals are bursty, no role shrinks below it, but what it added since
    /// may go. Nil (used standalone): the current fleet is the floor.
    public var fleetTakenOver: PerRole<Int>?
    /// When each role last grew.
    public var lastGrowth = PerRole<Timestamp?>(repeating: nil)
    /// Since when each role's recommendation has stood above its fleet without a break.
    public var needAboveFleetSince = PerRole<Timestamp?>(repeating: nil)
    /// The role that last gained GPUs at the other's expense, and when.
    public var lastFlip: (toward: Role, at: Timestamp)? {
        get { lastFlipRole.flatMap { role in lastFlipTime.map { (role, $0) } } }
        set { lastFlipRole = newValue?.toward; lastFlipTime = newValue?.at }
    }
    private var lastFlipRole: Role?
    private var lastFlipTime: Timestamp?

    public init() {}

    public static func == (lhs: StabiliserState, rhs: StabiliserState) -> Bool {
        lhs.history == rhs.history && lhs.fleetTakenOver == rhs.fleetTakenOver && lhs.lastGrowth == rhs.lastGrowth
            && lhs.needAboveFleetSince == rhs.needAboveFleetSince && lhs.lastFlipRole == rhs.lastFlipRole && lhs.lastFlipTime == rhs.lastFlipTime
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(history)
        hasher.combine(fleetTakenOver)
        hasher.combine(lastGrowth)
        hasher.combine(needAboveFleetSince)
        hasher.combine(lastFlipRole)
        hasher.combine(lastFlipTime)
    }
}

public enum Stabiliser {
    public struct Input: Sendable {
        /// Instances counted as capacity now: ready plus starting (pending capacity counts,
        /// so one need is never started twice).
        public var current: PerRole<Int>
        /// The rate matcher's recommendation.
        public var recommended: PerRole<Int>
        /// Unrounded need, for the tolerance band.
        public var continuousNeed: PerRole<Double>
        /// Roles whose telemetry is incomplete: never scaled down on missing data.
        public var scaleDownAllowed: PerRole<Bool>
        /// Seconds the controller still needs to learn how far the traffic swings; no role
        /// shrinks meanwhile. Nil once it has learned.
        public var learningSecondsLeft: Double?
        /// The arrivals' dispersion when they are bursty (nil for Poisson-like traffic): no
        /// role shrinks below the fleet taken over meanwhile. Bursts keep beating the largest
        /// seen so far, and a fleet shrunk between them cannot grow back within a start-up
        /// time. Released after the learning period, fleets taken over on bursty code traffic
        /// met 99 % of requests in 6 of 24 fresh hours; neither four start-up times nor an
        /// hour of history told how large the next burst would be (released after an hour,
        /// 1 of 12 two-hour traces met it over the two hours).
        public var burstyArrivals: Double?
        /// Whether the other role is held back by the budget (its growth waits on this
        /// role's shrink), which shortens the scale-down window.
        public var otherRoleWaitingForGPUs: PerRole<Bool>
        /// Roles whose demand is trending up: never shrunk into a rise.
        public var demandRising: PerRole<Bool>
        /// Seconds over which a need above the fleet is met in proportion to its age (see
        /// `pacedScaleUp`); 0 meets it at once.
        public var scaleUpPaceSeconds: PerRole<Double>
        public var now: Timestamp

        public init(
            current: PerRole<Int>,
            recommended: PerRole<Int>,
            continuousNeed: PerRole<Double>,
            scaleDownAllowed: PerRole<Bool> = PerRole(repeating: true),
            learningSecondsLeft: Double? = nil,
            burstyArrivals: Double? = nil,
            otherRoleWaitingForGPUs: PerRole<Bool> = PerRole(repeating: false),
            demandRising: PerRole<Bool> = PerRole(repeating: false),
            scaleUpPaceSeconds: PerRole<Double> = PerRole(repeating: 0),
            now: Timestamp
        ) {
            self.current = current
            self.recommended = recommended
            self.continuousNeed = continuousNeed
            self.scaleDownAllowed = scaleDownAllowed
            self.learningSecondsLeft = learningSecondsLeft
            self.burstyArrivals = burstyArrivals
            self.otherRoleWaitingForGPUs = otherRoleWaitingForGPUs
            self.demandRising = demandRising
            self.scaleUpPaceSeconds = scaleUpPaceSeconds
            self.now = now
        }
    }

    /// The counts to steer toward, per role: the recommendation (unless within the tolerance
    /// band), held to its history window, limited in step; then no recent flip is undone.
    public static func stabilise(
        _ input: Input,
        state: inout StabiliserState,
        configuration: ControllerConfiguration.Stabilisation,
        reasons: inout [DecisionReason]
    ) -> PerRole<Int> {
        var result = input.current
        for role in Role.allCases {
            let current = input.current[role]
            let recommended = ignoringNoise(role, input: input, configuration: configuration, reasons: &reasons)
            remember(recommended, role: role, input: input, state: &state, configuration: configuration)
            state.needAboveFleetSince[role] = recommended > current ? state.needAboveFleetSince[role] ?? input.now : nil
            var target = recommended
            if recommended > current {
                target = heldScaleUp(role, to: recommended, input: input, history: state.history[role], configuration: configuration, reasons: &reasons)
                target = pacedScaleUp(role, to: target, input: input, since: state.needAboveFleetSince[role],
                                      configuration: configuration, reasons: &reasons)
            } else if recommended < current {
                target = heldScaleDown(role, to: recommended, input: input, history: state.history[role],
                                       takenOver: state.fleetTakenOver?[role] ?? current, configuration: configuration, reasons: &reasons)
            }
            result[role] = stepLimited(role, from: current, to: target, configuration: configuration, reasons: &reasons)
        }
        return holdingRecentFlips(result, input: input, state: &state, configuration: configuration, reasons: &reasons)
    }

    /// Tolerance: a need within ±tolerance of what runs is noise, not a signal, unless a hard
    /// bound (minimum, budget) moved the recommendation.
    private static func ignoringNoise(
        _ role: Role,
        input: Input,
        configuration: ControllerConfiguration.Stabilisation,
        reasons: inout [DecisionReason]
    ) -> Int {
        let current = input.current[role]
        let recommended = input.recommended[role]
        let need = input.continuousNeed[role]
        guard current > 0, recommended != current,
              abs(need / Double(current) - 1) <= configuration.tolerance,
              need.rounded(.up) == Double(recommended)
        else { return recommended }
        reasons.append(.init(.withinTolerance, role: role,
            "need \(format(need)) instances is within \(format(configuration.tolerance * 100))% of the \(current) running"))
        return current
    }

    /// Adds this tick's recommendation to the role's history and forgets what no window reaches.
    /// With no history (a fresh start or a restarted daemon) what runs now stands in for the
    /// window's past recommendations, so a restart never shrinks the cluster before a full
    /// window of evidence.
    private static func remember(
        _ recommended: Int,
        role: Role,
        input: Input,
        state: inout StabiliserState,
        configuration: ControllerConfiguration.Stabilisation
    ) {
        let now = input.now
        let current = input.current[role]
        let longestWindow = max(configuration.scaleDownWindowSeconds, configuration.scaleUpWindowSeconds, configuration.flipWindowSeconds)
        if state.history[role].isEmpty { state.history[role].append(.init(time: now, count: current, isSeed: true)) }
        state.history[role].append(.init(time: now, count: recommended))
        state.history[role].removeAll { now - $0.time > longestWindow }
    }

    /// Scale up to the smallest recommendation over the scale-up window; seeds never count.
    private static func heldScaleUp(
        _ role: Role,
        to recommended: Int,
        input: Input,
        history: [StabiliserState.Recommendation],
        configuration: ControllerConfiguration.Stabilisation,
        reasons: inout [DecisionReason]
    ) -> Int {
        let now = input.now
        let window = history.filter { !$0.isSeed && now - $0.time <= configuration.scaleUpWindowSeconds }
        let stabilised = window.map(\.count).min() ?? recommended
        if stabilised < recommended {
            reasons.append(.init(.scaleUpStabilised, role: role,
                "scale-up held to \(max(stabilised, input.current[role])) by the \(format(configuration.scaleUpWindowSeconds)) s window"))
        }
        return max(input.current[role], stabilised)
    }

    /// A need above the fleet met in proportion to how long it has stood, at least one
    /// instance a tick, all of it once it has stood for the pace. Code bursts are over within
    /// a minute or two, before instances started for them are up: on a 70B code hour the first
    /// burst asked for 24 prefill instances where 16 ran and served it, and all 8 came up after
    /// it. A need that lasts is met in full within the pace; a fleet with no instance of the
    /// role gets it at once. While arrivals are burstier than `burstEdgeDispersion`, not even
    /// the first instance comes at once: in Dynamo's simulator (one-minute starts) the code
    /// slice's last burst started a fifth prefill worker that came up as the burst ended, and
    /// the slice fell 0.004 below the fixed split of the same GPU-hours.
    private static func pacedScaleUp(
        _ role: Role,
        to target: Int,
        input: Input,
        since: Timestamp?,
        configuration: ControllerConfiguration.Stabilisation,
        reasons: inout [DecisionReason]
    ) -> Int {
        let current = input.current[role]
        let pace = input.scaleUpPaceSeconds[role]
        guard pace > 0, current > 0, let since else { return target }
        let age = max(0, input.now - since)
        let share = Double(target - current) * age / pace
        let dispersion = input.burstyArrivals ?? 0
        let burstEdge = dispersion >= configuration.burstEdgeDispersion
        let paced = current + (burstEdge ? Int(share.rounded(.down)) : max(1, Int(share.rounded(.up))))
        guard paced < target else { return target }
        let why = burstEdge
            ? "arrivals are bursty (dispersion \(format(dispersion))), so a need \(format(age)) s old is read as a burst's rising edge and met"
                + " in proportion to its age over \(format(pace)) s, none at once"
            : "a need not read as a ramp, \(format(age)) s old, is met in proportion to its age over \(format(pace)) s"
        reasons.append(.init(.scaleUpPaced, role: role, "scale-up to \(target) paced at \(paced): \(why)"))
        return paced
    }

    /// Scale down only to the largest recommendation over the scale-down window (the shorter
    /// flip window when the other role waits for these GPUs), not below the fleet taken over
    /// while the traffic is still being learned or its arrivals are bursty, and not at all
    /// while demand rises or some of the role's workers have no fresh telemetry.
    private static func heldScaleDown(
        _ role: Role,
        to recommended: Int,
        input: Input,
        history: [StabiliserState.Recommendation],
        takenOver: Int,
        configuration: ControllerConfiguration.Stabilisation,
        reasons: inout [DecisionReason]
    ) -> Int {
        let now = input.now
        let current = input.current[role]
        let seconds = input.otherRoleWaitingForGPUs[role]
            ? min(configuration.flipWindowSeconds, configuration.scaleDownWindowSeconds)
            : configuration.scaleDownWindowSeconds
        let window = history.filter { now - $0.time <= seconds }
        let stabilised = window.map(\.count).max() ?? recommended
        if stabilised > recommended {
            reasons.append(.init(.scaleDownStabilised, role: role,
                "scale-down to \(recommended) held at \(min(stabilised, current)): a recommendation of \(stabilised) was made within the last \(format(seconds)) s"))
        }
        var target = min(current, stabilised)
        if target < min(current, takenOver), let hold = fleetTakenOverHold(input) {
            let floor = min(current, takenOver)
            reasons.append(.init(hold.code, role: role, "scale-down to \(target) held at \(floor), the fleet taken over" + hold.why))
            target = floor
        }
        if input.demandRising[role], target < current {
            reasons.append(.init(.demandRising, role: role,
                "scale-down to \(target) held at \(current): \(role) demand is rising"))
            target = current
        }
        if !input.scaleDownAllowed[role], target < current {
            reasons.append(.init(.telemetryPartial, role: role,
                "scale-down to \(target) refused: some \(role) workers have no fresh telemetry"))
            target = current
        }
        return target
    }

    /// Why the fleet taken over is held as a floor now, if it is: the traffic is still being
    /// learned, or its arrivals are bursty.
    private static func fleetTakenOverHold(_ input: Input) -> (code: DecisionReason.Code, why: String)? {
        if let left = input.learningSecondsLeft {
            return (.learningTraffic, ", for \(format(left)) s more: the traffic has not been watched long enough to know how far it swings")
        }
        if let dispersion = input.burstyArrivals {
            return (.burstyTraffic, ": arrivals are bursty (dispersion \(format(dispersion))), and a fleet shrunk between bursts cannot grow back within a start-up time when a larger one comes")
        }
        return nil
    }

    /// No role gains more than `maxStepUp` or loses more than `maxStepDown` in one tick.
    private static func stepLimited(
        _ role: Role,
        from current: Int,
        to target: Int,
        configuration: ControllerConfiguration.Stabilisation,
        reasons: inout [DecisionReason]
    ) -> Int {
        if target > current + configuration.maxStepUp {
            reasons.append(.init(.stepLimited, role: role, "scale-up capped at +\(configuration.maxStepUp) this tick (wanted \(target))"))
            return current + configuration.maxStepUp
        } else if target < current - configuration.maxStepDown {
            reasons.append(.init(.stepLimited, role: role, "scale-down capped at -\(configuration.maxStepDown) this tick (wanted \(target))"))
            return current - configuration.maxStepDown
        }
        return target
    }

    /// A flip moves GPUs from one role to the other: one role shrinks while the other grows
    /// now or grew within the scale-down window. Moving them back soon after is the
    /// oscillation operators hate most (two cold starts for nothing), so a role that just
    /// received GPUs is not shrunk for the other's sake during the cooldown.
    private static func holdingRecentFlips(
        _ counts: PerRole<Int>,
        input: Input,
        state: inout StabiliserState,
        configuration: ControllerConfiguration.Stabilisation,
        reasons: inout [DecisionReason]
    ) -> PerRole<Int> {
        let now = input.now
        var result = counts
        for role in Role.allCases where result[role] > input.current[role] {
            state.lastGrowth[role] = now
        }
        for role in Role.allCases where result[role] < input.current[role] {
            let otherWants = result[role.other] > input.current[role.other] || input.otherRoleWaitingForGPUs[role]
            if let flip = state.lastFlip, flip.toward == role, now - flip.at < configuration.flipCooldownSeconds, otherWants {
                reasons.append(.init(.flipCooldown, role: role,
                    "\(role) kept at \(input.current[role]): GPUs moved to \(role) \(format(now - flip.at)) s ago, cooldown \(format(configuration.flipCooldownSeconds)) s"))
                result[role] = input.current[role]
            } else if let grew = state.lastGrowth[role.other], now - grew <= configuration.scaleDownWindowSeconds {
                state.lastFlip = (role.other, now)
            }
        }
        return result
    }
}

func format(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int(rounded)) : String(rounded)
}
