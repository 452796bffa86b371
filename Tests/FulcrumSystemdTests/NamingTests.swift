import Foundation
import FulcrumTestSupport
import FulcrumCore
@testable import FulcrumSystemd
import Testing

@Suite struct NamingTests {
    @Test(arguments: [
        ([0, 1, 2, 3], "g0-3"), ([0, 2, 5], "g0.2.5"), ([0, 1, 4, 5], "g0-1.4-5"), ([7], "g7"),
        ([5, 3, 4], "g3-5"), ([10, 11, 13], "g10-11.13"),
    ])
    func gpuSetsHaveOneCanonicalName(indices: [Int], name: String) throws {
        let set = try GPUSet(indices)
        #expect(set.instanceName == name)
        #expect(try GPUSet(instanceName: name) == set)
    }

    @Test(arguments: ["g01", "g3-1", "g0.1", "g0-3.2", "g0-0", "g", "g.", "g0..1", "x0", "g0-3x", "g-1", "g1-", "G0", "g0;rm", "g١"])
    func nonCanonicalInstanceNamesAreRefused(name: String) {
        #expect(throws: ActuatorError.self) { try GPUSet(instanceName: name) }
    }

    @Test func portsFollowRoleAndLowestGPU() throws {
        let ports = PortScheme(prefillBase: 30000, decodeBase: 30100)
        #expect(ports.port(role: .prefill, gpus: try GPUSet([4, 5])) == 30004)
        #expect(ports.port(role: .decode, gpus: try GPUSet([0, 2, 5])) == 30100)
        #expect(throws: ActuatorError.self) { try PortScheme(prefillBase: 30000, decodeBase: 30004).validate(highestGPU: 7) }
    }

    /// The unit script computes the port the engine listens on; the daemon scrapes the port the
    /// Swift rule gives. They must agree, defaults and overridden bases alike.
    @Test(arguments: [("prefill", "g4-5", [String: String]()), ("decode", "g2.6", [:]),
                      ("decode", "g3", ["FULCRUM_DECODE_BASE_PORT": "31000"])])
    func unitScriptFollowsThePortRule(role: String, instance: String, environment: [String: String]) throws {
        let script = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "../../systemd/fulcrum-unit-env").standardized
        let output = FileManager.default.temporaryDirectory.appending(path: "fulcrum-unit-env-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(filePath: "/bin/sh")
        process.arguments = [script.path, role, instance, output.path]
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        let port = lines.first { $0.hasPrefix("FULCRUM_PORT=") }.flatMap { Int($0.dropFirst("FULCRUM_PORT=".count)) }
        let parsedRole = try #require(Role(rawValue: role))
        let base = environment.values.first.flatMap(Int.init) ?? WorkerPort.defaultBases[parsedRole]
        let gpus = try GPUSet(instanceName: instance)
        #expect(port == PortScheme(prefillBase: parsedRole == .prefill ? base : 30000, decodeBase: parsedRole == .decode ? base : 30100)
            .port(role: parsedRole, gpus: gpus))
        #expect(port == WorkerPort.port(base: base, lowestGPU: gpus.lowest))
    }

    @Test func workerIDsAreNodeSlashUnit() throws {
        let id = WorkerName.id(node: "node0", unit: "llm-prefill@g0-3.service")
        #expect(id.rawValue == "node0/llm-prefill@g0-3.service")
        #expect(WorkerName.split(id)?.node == "node0")
        #expect(WorkerName.split(id)?.unit == "llm-prefill@g0-3.service")
    }

    @Test func endpointsParse() throws {
        #expect(try SystemdEndpoint(parsing: "system") == .system)
        #expect(try SystemdEndpoint(parsing: "user") == .user)
        #expect(try SystemdEndpoint(parsing: "ssh:root@gpu-1") == .ssh(destination: "root@gpu-1"))
        #expect(try SystemdEndpoint(parsing: "unix:path=/run/user/0/bus") == .address("unix:path=/run/user/0/bus"))
        #expect(try SystemdEndpoint(parsing: "ssh:root@10.0.0.7:2222") == .ssh(destination: "root@10.0.0.7:2222"))
        #expect(try SystemdEndpoint(parsing: "ssh:root@[fd00::7]:2222") == .ssh(destination: "root@[fd00::7]:2222"))
        #expect(throws: ActuatorError.self) { try SystemdEndpoint(parsing: "ssh:-oProxyCommand=x") }
        #expect(throws: ActuatorError.self) { try SystemdEndpoint(parsing: "ssh:root@gpu-1:ssh") }
        #expect(throws: ActuatorError.self) { try SystemdEndpoint(parsing: "ssh:root@gpu-1:70000") }
        #expect(throws: ActuatorError.self) { try SystemdEndpoint(parsing: "ssh:root@gpu-1;reboot") }
        #expect(throws: ActuatorError.self) { try SystemdEndpoint(parsing: "sessionbus") }
    }
}

@Suite struct UnitNamePolicyTests {
    let policy = UnitNamePolicy(templates: try! WorkerTemplates())
    let node = NodeConfiguration(name: "node0", gpus: [0, 1, 2, 3], endpoint: .user)

    @Test func workerUnitsOfTheTemplatesAreAccepted() throws {
        let unit = try policy.validate("llm-decode@g1-2.service", on: node)
        #expect(unit.role == .decode)
        #expect(unit.gpus.indices == [1, 2])
        #expect(try policy.unit(role: .prefill, gpus: [3, 0, 1, 2], on: node).name == "llm-prefill@g0-3.service")
    }

    @Test(arguments: [
        "llm-prefill@g0-3.service;rm", "../x", "sshd.service", "llm-prefill@g0-3.service.d",
        "llm-prefill@g0-7.service", "llm-prefill@g9.service", "llm-prefill@.service", "llm-prefill@g0-3.socket",
        "llm-prefill@g0-3@g1.service", "other@g0.service", "llm-prefill@g0 .service", "llm-prefill@g0-3.service\n",
        "llm-prefill@g0.1.service", "llm-prefill@../g0.service", "/etc/systemd/system/llm-prefill@g0.service", "",
    ])
    func craftedNamesAreRefused(name: String) {
        #expect(throws: ActuatorError.self) { try policy.validate(name, on: node) }
    }

    @Test func gpusMissingFromTheNodeAreRefused() {
        let error = #expect(throws: ActuatorError.self) { try policy.unit(role: .prefill, gpus: [3, 4], on: node) }
        #expect(error?.code == .refusedUnit)
        #expect(error?.message.contains("GPU 4") == true)
    }

    @Test func workerIDsAreValidatedToo() {
        let nodes = ["node0": node]
        for id in ["node0/sshd.service", "sshd.service", "node9/llm-prefill@g0.service", "node0/../x", "node0/llm-prefill@g0-3.service;rm"] {
            #expect(throws: ActuatorError.self) { try policy.validate(WorkerID(id), nodes: nodes) }
        }
    }
}
