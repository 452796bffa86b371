import FulcrumCore

/// What a reload can change in a running daemon, and what waits for a restart.
///
/// Settings that build long-lived parts at start (the systemd connections, the actuator, the
/// sockets, the scraper's client, the leader election) cannot change under them; a reload
/// keeps those as they run and names them, so an edit never half-applies silently.
extension DaemonConfiguration {
    /// The keys whose values differ from `running` and need a restart to apply.
    public func restartOnlyChanges(from running: DaemonConfiguration) -> [String] {
        var changed: [String] = []
        if nodes != running.nodes { changed.append("nodes") }
        for role in Role.allCases {
            let next = roles[role], now = running.roles[role]
            if next.template != now.template { changed.append("workers.\(role).template") }
            if next.portBase != now.portBase { changed.append("workers.\(role).port_base") }
            if next.drainTimeout != now.drainTimeout { changed.append("workers.\(role).drain_timeout") }
        }
        if metricsConnections != running.metricsConnections { changed.append("workers.metrics_connections") }
        if intervals.scrapeTimeout != running.intervals.scrapeTimeout { changed.append("intervals.scrape_timeout") }
        if router != running.router { changed.append("router") }
        if control != running.control { changed.append("control") }
        if metrics != running.metrics { changed.append("metrics") }
        if stateFile != running.stateFile { changed.append("state_file") }
        if coordination != running.coordination { changed.append("coordination") }
        return changed
    }

    /// This configuration with every restart-only setting as `running` has it.
    public func keepingRestartOnly(from running: DaemonConfiguration) -> DaemonConfiguration {
        var kept = self
        kept.nodes = running.nodes
        // A budget defaulted from nodes the reload cannot add yet would count GPUs no worker can get.
        let runningGPUs = running.nodes.reduce(0) { $0 + $1.gpus.count }
        kept.controller.placement.maxTotalGPUs = min(controller.placement.maxTotalGPUs, runningGPUs)
        for role in Role.allCases {
            kept.roles[role].template = running.roles[role].template
            kept.roles[role].portBase = running.roles[role].portBase
            kept.roles[role].drainTimeout = running.roles[role].drainTimeout
        }
        kept.metricsConnections = running.metricsConnections
        kept.intervals.scrapeTimeout = running.intervals.scrapeTimeout
        kept.router = running.router
        kept.control = running.control
        kept.metrics = running.metrics
        kept.stateFile = running.stateFile
        kept.coordination = running.coordination
        return kept
    }
}
