import FulcrumCore

/// The safety gate: every unit name passes here before any D-Bus call that names it.
///
/// A name is accepted only if it is exactly `<configured template>@<canonical GPU set>.service`
/// and every GPU in the set belongs to the node. Anything else (`sshd.service`, a drop-in
/// folder `x.service.d`, `../x`, shell metacharacters, a GPU the node lacks) is refused.
public struct UnitNamePolicy: Sendable, Hashable {
    public let templates: WorkerTemplates

    public init(templates: WorkerTemplates) { self.templates = templates }

    /// The unit for a new worker, validated like any other name.
    public func unit(role: Role, gpus: [Int], on node: NodeConfiguration) throws(ActuatorError) -> WorkerUnit {
        let set = try GPUSet(gpus)
        let unit = WorkerUnit(role: role, gpus: set, templates: templates)
        try checkGPUs(set, of: unit.name, on: node)
        return unit
    }

    public func validate(_ name: String, on node: NodeConfiguration) throws(ActuatorError) -> WorkerUnit {
        let refused = ActuatorError(.refusedUnit, "The unit name '\(name)' is not a worker unit of this actuator (expected \(templates.prefill)@<GPU set>.service or \(templates.decode)@<GPU set>.service, e.g. \(templates.prefill)@g0-3.service); Fulcrum never touches other units.")
        guard name.count <= 255, name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 }),
              name.hasSuffix(".service")
        else { throw refused }
        let stem = name.dropLast(".service".count)
        let parts = stem.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let role = templates.role(forPrefix: String(parts[0])) else { throw refused }
        let gpus: GPUSet
        do { gpus = try GPUSet(instanceName: String(parts[1])) } catch { throw refused }
        let unit = WorkerUnit(role: role, gpus: gpus, templates: templates)
        guard unit.name == name else { throw refused }
        try checkGPUs(gpus, of: name, on: node)
        return unit
    }

    /// Validates a worker ID against the configured nodes.
    public func validate(_ id: WorkerID, nodes: [String: NodeConfiguration]) throws(ActuatorError) -> (node: NodeConfiguration, unit: WorkerUnit) {
        guard let (nodeName, unitName) = WorkerName.split(id) else {
            throw ActuatorError(.refusedUnit, "The worker ID '\(id)' is not <node>/<unit name>; use the IDs the actuator reports, e.g. node0/\(templates.prefill)@g0-3.service.")
        }
        guard let node = nodes[nodeName] else {
            throw ActuatorError(.unknownNode, "The worker ID '\(id)' names node '\(nodeName)', which is not configured; add the node or use a reported ID.")
        }
        return (node, try validate(unitName, on: node))
    }

    private func checkGPUs(_ gpus: GPUSet, of name: String, on node: NodeConfiguration) throws(ActuatorError) {
        let missing = gpus.indices.filter { !node.gpus.contains($0) }
        guard missing.isEmpty else {
            throw ActuatorError(.refusedUnit, "The unit '\(name)' uses GPU \(missing.map(String.init).joined(separator: ",")) which node \(node.name) does not have (it has \(node.gpus.map(String.init).joined(separator: ","))); pick GPUs from the node's list.")
        }
    }
}
