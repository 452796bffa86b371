import CSystemd
import Glibc

/// The `sd_bus` and everything tied to it. Lives on the connection's thread: every method is
/// called from a job or a callback there, which is what makes the unchecked Sendable sound.
final class LoopContext: @unchecked Sendable {
    let bus: OpaquePointer
    let label: String
    /// Calls awaiting a reply, owned here so a callback's userdata stays valid.
    private var inFlight: [ObjectIdentifier: ReplyTarget] = [:]
    private var matches: [(slot: OpaquePointer, box: MatchBox)] = []
    var matchCount: Int { matches.count }

    init(bus: OpaquePointer, label: String) {
        self.bus = bus
        self.label = label
    }

    func send(_ method: BusMethodCall, pending: ReplyTarget, timeout: Duration) {
        guard pending.isWaiting else { return }
        var message: OpaquePointer?
        var result = sd_bus_message_new_method_call(bus, &message, method.destination, method.path, method.interface, method.member)
        guard result >= 0, let message else {
            pending.fail(BusError(returnCode: result, operation: pending.operation))
            return
        }
        defer { sd_bus_message_unref(message) }
        do {
            let writer = MessageWriter(message: message, operation: pending.operation)
            for argument in method.arguments { try writer.append(argument) }
        } catch {
            pending.fail(error)
            return
        }
        var slot: OpaquePointer?
        let micros = UInt64(timeout.components.seconds) * 1_000_000 + UInt64(timeout.components.attoseconds / 1_000_000_000_000)
        result = sd_bus_call_async(bus, &slot, message, replyCallback, Unmanaged.passUnretained(pending).toOpaque(), micros)
        guard result >= 0 else {
            pending.fail(BusError(returnCode: result, operation: pending.operation))
            return
        }
        pending.slot = slot
        pending.loop = self
        inFlight[ObjectIdentifier(pending)] = pending
    }

    /// After a reply (or a synthesised timeout/disconnect error) was delivered.
    func finished(_ target: ReplyTarget) {
        if let slot = target.slot { sd_bus_slot_unref(slot) }
        target.slot = nil
        target.loop = nil
        inFlight[ObjectIdentifier(target)] = nil
    }

    /// A cancelled call: dropping its slot makes sd-bus forget the reply.
    func abandon(_ target: ReplyTarget) {
        guard inFlight[ObjectIdentifier(target)] != nil else { return }
        finished(target)
    }

    func addMatch(
        _ rule: String,
        handler: @escaping @Sendable (borrowing MessageReader, SignalHeader) -> Void,
        installed: ReplyTarget
    ) {
        let box = MatchBox(handler: handler, installed: installed, label: label)
        var slot: OpaquePointer?
        let result = sd_bus_add_match_async(bus, &slot, rule, signalCallback, installCallback, Unmanaged.passUnretained(box).toOpaque())
        guard result >= 0, let slot else {
            installed.fail(BusError(returnCode: result, operation: installed.operation))
            return
        }
        matches.append((slot, box))
        // Without a broker the match is local only and no AddMatch reply will come.
        if sd_bus_is_bus_client(bus) <= 0 { installed.succeedWithoutReply() }
    }

    func shutDown(_ reason: BusError) {
        for target in inFlight.values {
            if let slot = target.slot { sd_bus_slot_unref(slot) }
            target.slot = nil
            target.loop = nil
            target.fail(reason)
        }
        inFlight = [:]
        for match in matches {
            // An AddMatch still awaiting its reply would otherwise wait forever, and with it the
            // node's connect (a stalled ssh or a refused authentication ends here, not in a reply).
            match.box.installed.fail(reason)
            sd_bus_slot_unref(match.slot)
        }
        matches = []
        sd_bus_flush_close_unref(bus)
    }
}

/// What a signal match needs in its C callbacks.
final class MatchBox {
    let handler: @Sendable (borrowing MessageReader, SignalHeader) -> Void
    let installed: ReplyTarget
    let label: String

    init(handler: @escaping @Sendable (borrowing MessageReader, SignalHeader) -> Void, installed: ReplyTarget, label: String) {
        self.handler = handler
        self.installed = installed
        self.label = label
    }
}

private let replyCallback: sd_bus_message_handler_t = { message, userdata, _ in
    guard let message, let userdata else { return 0 }
    let target = Unmanaged<ReplyTarget>.fromOpaque(userdata).takeUnretainedValue()
    let loop = target.loop
    target.receive(message)
    loop?.finished(target)
    return 0
}

private let installCallback: sd_bus_message_handler_t = { message, userdata, _ in
    guard let message, let userdata else { return 0 }
    Unmanaged<MatchBox>.fromOpaque(userdata).takeUnretainedValue().installed.receive(message)
    return 0
}

private let signalCallback: sd_bus_message_handler_t = { message, userdata, _ in
    guard let message, let userdata else { return 0 }
    let box = Unmanaged<MatchBox>.fromOpaque(userdata).takeUnretainedValue()
    func field(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
    let header = SignalHeader(
        path: field(sd_bus_message_get_path(message)),
        interface: field(sd_bus_message_get_interface(message)),
        member: field(sd_bus_message_get_member(message))
    )
    box.handler(MessageReader(message: message, operation: "\(header.member) signal on \(box.label)"), header)
    return 0
}
