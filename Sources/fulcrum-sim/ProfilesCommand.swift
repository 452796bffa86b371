import ArgumentParser
import FulcrumSim

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the built-in hardware/model profiles, or print one as YAML to start your own."
    )

    @Argument(help: "A profile to print as YAML.")
    var name: String?

    func run() throws {
        if let name {
            print(try Profile.named(name).yamlText)
        } else {
            for profile in Profile.builtins.values.sorted(by: { $0.name < $1.name }) {
                print("\(profile.name)  (prefill \(profile.gpusPerInstance.prefill) GPU(s), decode \(profile.gpusPerInstance.decode) GPU(s) per instance, start-up \(Int(profile.startupSeconds)) s)")
            }
        }
    }
}
