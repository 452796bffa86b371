import CSystemd

/// Appends arguments to an outgoing sd-bus message. Loop thread only.
struct MessageWriter {
    let message: OpaquePointer
    let operation: String

    func append(_ argument: BusArgument) throws(BusError) {
        switch argument {
        case let .string(value): try appendString(value, type: "s")
        case let .objectPath(value): try appendString(value, type: "o")
        case let .bool(value):
            var raw: Int32 = value ? 1 : 0
            try check(sd_bus_message_append_basic(message, busType("b"), &raw))
        case var .int32(value):
            try check(sd_bus_message_append_basic(message, busType("i"), &value))
        case var .uint32(value):
            try check(sd_bus_message_append_basic(message, busType("u"), &value))
        case var .uint64(value):
            try check(sd_bus_message_append_basic(message, busType("t"), &value))
        case let .strings(values):
            try check(sd_bus_message_open_container(message, busType("a"), "s"))
            for value in values { try appendString(value, type: "s") }
            try check(sd_bus_message_close_container(message))
        }
    }

    private func appendString(_ value: String, type: Unicode.Scalar) throws(BusError) {
        // append_basic takes the string pointer itself for 's' and 'o', not a pointer to it.
        let result = value.withCString { sd_bus_message_append_basic(message, busType(type), $0) }
        try check(result)
    }

    private func check(_ result: Int32) throws(BusError) {
        if result < 0 { throw BusError(returnCode: result, operation: operation) }
    }
}

/// The C `char` sd-bus uses for a D-Bus type code.
@inline(__always)
func busType(_ scalar: Unicode.Scalar) -> CChar { CChar(truncatingIfNeeded: scalar.value) }
