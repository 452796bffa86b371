import Foundation
import FulcrumTestSupport
import Testing

/// The scripts answer --help with their own header and refuse what they do not take, before
/// they install, build or start anything: `scripts/demo --help` once ran the whole demo, and
/// an option given without its value failed with bash's own "${2:?}" text.
@Suite("Script arguments")
struct ScriptArgumentsTests {
    static func script(_ name: String) -> String {
        SystemdNodes.repository.appendingPathComponent("scripts/\(name)").path
    }

    @Test("refused in one sentence naming the script, exit 64, nothing run", arguments: [
        ("demo", ["--bogus"], "scripts/demo: takes --sim (the simulator comparison alone) or nothing, and was given '--bogus'."),
        ("test", ["extra"], "scripts/test: takes no arguments, and was given 'extra'."),
        ("setup", ["--everything"], "scripts/setup: takes --demo, --build or nothing, and was given '--everything'."),
        ("bench-fleet", ["0"], "scripts/bench-fleet: measures for a whole number of minutes from 1 to 1440, and was given '0'."),
        ("bench-fleet", ["5", "6"], "scripts/bench-fleet: takes at most one argument, the minutes to measure, and was given '5 6'."),
        ("bench-reaction", ["load-sideways"], "scripts/bench-reaction: has no step 'load-sideways'; pick load-up, load-down or mix-step."),
        ("bench-prefix-cache", ["x"], "scripts/bench-prefix-cache: takes no arguments, and was given 'x'."),
        ("profile-code-layout", ["x"], "scripts/profile-code-layout: takes no arguments, and was given 'x'."),
        ("bench-parser-vs-go", ["/nonexistent.prom"], "scripts/bench-parser-vs-go: cannot read the exposition file '/nonexistent.prom'"),
        ("fuzz", ["parser"], "scripts/fuzz: has no target 'parser'; pick from exposition control configuration decision trace."),
        ("man", ["--all"], "scripts/man: takes no arguments, and was given '--all'."),
        ("with-systemd-user", ["--units"], "scripts/with-systemd-user: --units needs a folder after it."),
        ("with-sshd", ["--bus"], "scripts/with-sshd: --bus needs an address such as unix:path=/run/user/0/bus after it."),
        ("check-units", ["--bin-dir"], "scripts/check-units: --bin-dir needs a folder after it."),
        ("check-units", ["--verbose"], "scripts/check-units: does not take '--verbose'."),
    ])
    func refused(_ name: String, _ arguments: [String], _ message: String) throws {
        let result = try SystemdNodes.run(Self.script(name), arguments)
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.hasPrefix(message), "\(result.output)")
        #expect(result.output.hasSuffix("Run scripts/\(name) --help for its usage.\n"), "\(result.output)")
    }

    @Test("--help prints the header comment and exits 0", arguments: ["demo", "test", "setup", "bench-fleet", "bench-reaction", "fuzz", "man", "profile-code-layout"])
    func help(_ name: String) throws {
        let result = try SystemdNodes.run(Self.script(name), ["--help"])
        #expect(result.status == 0, "\(result.output)")
        let header = try String(contentsOfFile: Self.script(name), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            .prefix { $0.hasPrefix("#") }
            .map { $0.dropFirst($0.hasPrefix("# ") ? 2 : 1) }
            .joined(separator: "\n")
        #expect(result.output == header + "\n")
        #expect(!header.isEmpty)
    }

    @Test("bench-fleet refuses a fleet size it cannot lay out on its four nodes", arguments: ["0", "1001", "10", "many"])
    func benchFleetRefusesFleetSize(_ gpus: String) throws {
        let result = try SystemdNodes.run(Self.script("bench-fleet"), ["1"], environment: ["FLEET_GPUS": gpus])
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.hasPrefix(
            "scripts/bench-fleet: takes FLEET_GPUS as a multiple of 4 from 4 to 1000, and was given '\(gpus)'."), "\(result.output)")
    }

    @Test("check-units names a --bin-dir that does not exist")
    func checkUnitsNamesMissingFolder() throws {
        let result = try SystemdNodes.run(Self.script("check-units"), ["--bin-dir", "/nonexistent/bin"])
        #expect(result.status == 2)
        #expect(result.output.contains("the --bin-dir folder /nonexistent/bin does not exist"), "\(result.output)")
    }
}
