import FulcrumCore
import FulcrumSim

/// Everything that defines one emulated worker.
public struct WorkerConfiguration: Sendable {
    public var role: Role
    public var flavor: EngineFlavor
    public var listen: ListenAddress
    public var profile: Profile
    /// Divides every modelled duration: 10 runs ten times faster than the hardware modelled.
    public var timeScale: Double
    /// The served model name (`model_name` label, `model` in responses); the profile's by default.
    public var model: String

    public init(role: Role, flavor: EngineFlavor, listen: ListenAddress, profile: Profile, timeScale: Double = 1, model: String? = nil) {
        self.role = role
        self.flavor = flavor
        self.listen = listen
        self.profile = profile
        self.timeScale = timeScale
        self.model = model ?? profile.model
    }

    /// Rejects a time scale the engine cannot run with.
    public func validate() throws(UsageError) {
        // Bounded: 1e-300 made every modelled time infinite and the first request trap.
        guard timeScale.isFinite, (0.001...100_000).contains(timeScale) else {
            throw UsageError("--time-scale \(timeScale) must be from 0.001 to 100000; pass e.g. 1 for real time or 10 for ten times faster")
        }
    }
}
