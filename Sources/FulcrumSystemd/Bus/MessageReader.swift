import CSystemd

/// Reads a received sd-bus message in order. Valid only inside the loop-thread callback that
/// handed it out: sd-bus messages are neither thread-safe nor kept after the callback.
public struct MessageReader: ~Copyable {
    let message: OpaquePointer
    let operation: String

    public func string() throws(BusError) -> String {
        var type: CChar = 0
        sd_bus_message_peek_type(message, &type, nil)
        let code = type == busType("o") ? busType("o") : busType("s")
        var pointer: UnsafePointer<CChar>?
        try check(sd_bus_message_read_basic(message, code, &pointer), expecting: "a string")
        return pointer.map { String(cString: $0) } ?? ""
    }

    public func uint32() throws(BusError) -> UInt32 {
        var value: UInt32 = 0
        try check(sd_bus_message_read_basic(message, busType("u"), &value), expecting: "a uint32")
        return value
    }

    public func strings() throws(BusError) -> [String] {
        try check(sd_bus_message_enter_container(message, busType("a"), "s"), expecting: "an array of strings")
        var values: [String] = []
        while true {
            var pointer: UnsafePointer<CChar>?
            let result = sd_bus_message_read_basic(message, busType("s"), &pointer)
            if result == 0 { break }
            try check(result, expecting: "a string")
            values.append(pointer.map { String(cString: $0) } ?? "")
        }
        try check(sd_bus_message_exit_container(message), expecting: "the end of an array")
        return values
    }

    /// Enters a container; false at the end of the enclosing array.
    public func enter(_ type: Unicode.Scalar, _ contents: String) throws(BusError) -> Bool {
        let result = sd_bus_message_enter_container(message, busType(type), contents)
        if result == 0 { return false }
        try check(result, expecting: "a container \(type)\(contents)")
        return true
    }

    public func exit() throws(BusError) {
        try check(sd_bus_message_exit_container(message), expecting: "the end of a container")
    }

    /// Reads a variant holding a basic type or a string array; skips anything else.
    public func variant() throws(BusError) -> BusValue {
        var type: CChar = 0
        var contents: UnsafePointer<CChar>?
        try check(sd_bus_message_peek_type(message, &type, &contents), expecting: "a variant")
        let signature = contents.map { String(cString: $0) } ?? ""
        try check(sd_bus_message_enter_container(message, busType("v"), signature), expecting: "a variant")
        let value: BusValue
        switch signature {
        case "s", "o": value = .string(try string())
        case "b":
            var raw: Int32 = 0
            try check(sd_bus_message_read_basic(message, busType("b"), &raw), expecting: "a boolean")
            value = .bool(raw != 0)
        case "i":
            var raw: Int32 = 0
            try check(sd_bus_message_read_basic(message, busType("i"), &raw), expecting: "an int32")
            value = .int32(raw)
        case "u": value = .uint32(try uint32())
        case "x":
            var raw: Int64 = 0
            try check(sd_bus_message_read_basic(message, busType("x"), &raw), expecting: "an int64")
            value = .int64(raw)
        case "t":
            var raw: UInt64 = 0
            try check(sd_bus_message_read_basic(message, busType("t"), &raw), expecting: "a uint64")
            value = .uint64(raw)
        case "d":
            var raw: Double = 0
            try check(sd_bus_message_read_basic(message, busType("d"), &raw), expecting: "a double")
            value = .double(raw)
        case "as": value = .strings(try strings())
        default:
            try check(sd_bus_message_skip(message, signature), expecting: "a \(signature) value")
            value = .unsupported(signature: signature)
        }
        try exit()
        return value
    }

    /// Reads an `a{sv}` dictionary, as Properties.GetAll and PropertiesChanged carry.
    public func properties() throws(BusError) -> [String: BusValue] {
        try check(sd_bus_message_enter_container(message, busType("a"), "{sv}"), expecting: "a property dictionary")
        var values: [String: BusValue] = [:]
        while try enter("e", "sv") {
            let key = try string()
            values[key] = try variant()
            try exit()
        }
        try exit()
        return values
    }

    private func check(_ result: Int32, expecting what: String) throws(BusError) {
        if result < 0 {
            var error = BusError(returnCode: result, operation: operation)
            error.message += " while reading \(what)"
            throw error
        }
        if result == 0 && what != "a variant" {
            throw BusError(name: "org.freedesktop.DBus.Error.InvalidSignature", message: "the reply ended where \(what) was expected", operation: operation)
        }
    }
}
