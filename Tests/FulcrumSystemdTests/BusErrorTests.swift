@testable import FulcrumSystemd
import Testing

@Suite("D-Bus errors as an operator reads them")
struct BusErrorTests {
    @Test("a polkit refusal says what to install, in one sentence ending once")
    func accessDeniedNamesThePolkitRule() {
        let error = BusError(name: "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", message: "Interactive authentication required.",
                             operation: "StartUnit(\"llm-prefill@g0.service\", \"fail\") on gpu-b")
        #expect(error.description == "StartUnit(\"llm-prefill@g0.service\", \"fail\") on gpu-b failed with org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: Interactive authentication required; allow fulcrumd's user to manage the worker templates on that node (systemd/50-fulcrum.rules in /etc/polkit-1/rules.d, see docs/deploy.md).")
    }

    @Test("other errors keep the peer's words, without a doubled period")
    func otherErrorsAreQuoted() {
        let error = BusError(name: "org.freedesktop.systemd1.NoSuchUnit", message: "Unit llm-prefill@g9.service not loaded.", operation: "StopUnit on node0")
        #expect(error.description == "StopUnit on node0 failed with org.freedesktop.systemd1.NoSuchUnit: Unit llm-prefill@g9.service not loaded.")
        #expect(BusError(name: "org.freedesktop.DBus.Error.Failed", message: "", operation: "X").description == "X failed with org.freedesktop.DBus.Error.Failed.")
    }
}
