import Foundation
import Testing

/// The pages in man/ are generated from the argument parsers by scripts/man; these tests fail
/// when a tool gains a subcommand or option its page does not document (run scripts/man).
@Suite("Manual pages")
struct ManualPageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every subcommand path and long option name in a tool's `--experimental-dump-help`.
    static func documentedNames(of tool: String) throws -> (commands: [String], options: [String]) {
        let binary = root.appendingPathComponent(".build/debug/\(tool)")
        let result = try FulcrumctlRunner.runAny(binary, ["--experimental-dump-help"])
        try #require(result.status == 0, "\(tool) --experimental-dump-help failed: \(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        var commands: [String] = [], options: [String] = []
        func walk(_ command: [String: Any]) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool ?? true {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    if let text = name["name"] as? String { options.append(text) }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["shouldDisplay"] as? Bool ?? true {
                if let name = sub["commandName"] as? String, name != "help" { commands.append(name) }
                walk(sub)
            }
        }
        walk(try #require(json["command"] as? [String: Any]))
        return (commands, options)
    }

    @Test("Each tool's page documents every subcommand and option it has", arguments: ["fulcrumd", "fulcrumctl", "fulcrum-sim", "fulcrum-emu"])
    func pageIsCurrent(tool: String) throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("man/\(tool).1"), encoding: .utf8)
        #expect(page.contains(".Dt \(tool.uppercased()) 1"))
        let names = try Self.documentedNames(of: tool)
        #expect(!names.options.isEmpty)
        for command in names.commands {
            #expect(page.contains(".It Em \(command)"), "man/\(tool).1 lacks the subcommand \(command); run scripts/man")
        }
        // generate-manual writes each option as an ".It Fl" line: "Fl -name" or "Fl n , -name".
        let optionLines = page.split(separator: "\n").filter { $0.hasPrefix(".It Fl") }
        for option in Set(names.options) {
            let documented = optionLines.contains { $0.hasSuffix("-\(option)") || $0.contains("-\(option) ") }
            #expect(documented, "man/\(tool).1 lacks --\(option); run scripts/man")
        }
    }
}
