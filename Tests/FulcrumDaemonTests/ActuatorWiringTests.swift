@testable import FulcrumConfiguration
import FulcrumSystemd
import FulcrumTestSupport
import Testing
@testable import FulcrumDaemon

/// How the daemon's configuration becomes the actuator's.
@Suite("Actuator wiring")
struct ActuatorWiringTests {
    @Test("the actuator's per-tick limits leave room for both roles' steps, never below its default")
    func perTickLimitsFollowTheStepLimits() throws {
        var configuration = try DaemonConfiguration.parse(yaml: ConfigurationFixtures.minimal, source: "test.yaml")
        let defaults = try SystemdFleet.actuatorConfiguration(configuration)
        #expect(defaults.maxStartsPerTick == ActuatorConfiguration.defaultPerTickLimit)
        #expect(defaults.maxDrainsPerTick == ActuatorConfiguration.defaultPerTickLimit)
        configuration.controller.stabilisation.maxStepUp = 250
        configuration.controller.stabilisation.maxStepDown = 100
        let fleet = try SystemdFleet.actuatorConfiguration(configuration)
        #expect(fleet.maxStartsPerTick == 500)
        #expect(fleet.maxDrainsPerTick == 200)
    }
}
