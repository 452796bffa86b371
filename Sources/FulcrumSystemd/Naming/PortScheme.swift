import FulcrumCore

/// A worker's port, derived from its role and GPU set alone (the rule is `WorkerPort`'s); the
/// two roles' ranges must not overlap.
public struct PortScheme: Sendable, Hashable {
    public let basePorts: PerRole<Int>

    public init(prefillBase: Int = WorkerPort.defaultBases.prefill, decodeBase: Int = WorkerPort.defaultBases.decode) {
        basePorts = PerRole(prefill: prefillBase, decode: decodeBase)
    }

    public func port(role: Role, gpus: GPUSet) -> Int { WorkerPort.port(base: basePorts[role], lowestGPU: gpus.lowest) }

    /// Refuses bases whose ranges (base...base+highest GPU) overlap or leave 1...65535.
    func validate(highestGPU: Int) throws(ActuatorError) {
        let ranges = Role.allCases.map { basePorts[$0]...(basePorts[$0] + highestGPU) }
        guard ranges.allSatisfy({ $0.lowerBound >= 1 && $0.upperBound <= 65535 }), !ranges[0].overlaps(ranges[1]) else {
            throw ActuatorError(.invalidConfiguration, "The base ports \(basePorts) give overlapping or out-of-range port ranges for GPUs up to \(highestGPU); space the prefill and decode bases at least \(highestGPU + 1) apart within 1...65535.")
        }
    }
}
