import FulcrumCore

/// A worker's unit: role, GPU set and the unit name that encodes both.
public struct WorkerUnit: Sendable, Hashable, CustomStringConvertible {
    public let role: Role
    public let gpus: GPUSet
    /// `<template prefix>@<GPU set>.service`, e.g. `llm-prefill@g0-3.service`.
    public let name: String

    init(role: Role, gpus: GPUSet, templates: WorkerTemplates) {
        self.role = role
        self.gpus = gpus
        self.name = "\(templates.prefix(for: role))@\(gpus.instanceName).service"
    }

    public var description: String { name }
}

/// Worker IDs are `<node>/<unit name>`, e.g. `node0/llm-prefill@g0-3.service`: unique across
/// nodes, readable in logs, and enough to find the unit again after a restart.
public enum WorkerName {
    public static func id(node: String, unit: String) -> WorkerID { WorkerID("\(node)/\(unit)") }

    /// Splits an ID at its first `/`; nil when there is none.
    public static func split(_ id: WorkerID) -> (node: String, unit: String)? {
        guard let slash = id.rawValue.firstIndex(of: "/") else { return nil }
        return (String(id.rawValue[..<slash]), String(id.rawValue[id.rawValue.index(after: slash)...]))
    }
}
