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
        guard timeScale.isFinite, timeScale > 0 else {
            throw UsageError("--time-scale \(timeScale) is not a positive number; pass e.g. 1 for real time or 10 for ten times faster")
        }
    }
}
