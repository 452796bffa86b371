#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Byte comparisons for the parser's hot paths. Why not `elementsEqual` / `starts(with:)` /
// `Hashable` on `[UInt8]`: on slices and `String.UTF8View` those go through generic code the
// optimiser does not specialise across modules (metadata lookups per call), and hashing an
// array feeds the hasher one byte at a time; together they were a quarter of a full parse.

/// `a[aStart ..< aStart + count] == b[bStart ..< bStart + count]`; the ranges must be in bounds.
@inline(__always)
func sameBytes(_ a: [UInt8], _ aStart: Int, _ b: [UInt8], _ bStart: Int, count: Int) -> Bool {
    if count == 0 { return true }
    return a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            memcmp(pa.baseAddress! + aStart, pb.baseAddress! + bStart, count) == 0
        }
    }
}

/// Whether `bytes[from...]` is exactly `suffix`.
@inline(__always)
func bytes(_ bytes: [UInt8], from start: Int, equal suffix: [UInt8]) -> Bool {
    bytes.count - start == suffix.count && sameBytes(bytes, start, suffix, 0, count: suffix.count)
}

/// Whether `bytes` ends with `suffix` and is longer than it.
@inline(__always)
func bytes(_ bytes: [UInt8], properlyEndWith suffix: [UInt8]) -> Bool {
    bytes.count > suffix.count && sameBytes(bytes, bytes.count - suffix.count, suffix, 0, count: suffix.count)
}

/// `bytes` as a `String`, or `nil` if they are not UTF-8. Why not `String(validating:as:)` alone:
/// it instantiates generic metadata on every call; ASCII, which nearly every exposition is, takes
/// the specialised decoding path (nothing to repair), and only other text is validated.
@inline(__always)
func validatedString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
    var high: UInt8 = 0
    for byte in bytes { high |= byte }
    if high < 0x80 { return String(decoding: bytes, as: UTF8.self) }
    return String(validating: bytes, as: UTF8.self)
}

/// A metric name's bytes as a dictionary key, hashed in one call rather than byte by byte.
struct NameKey: Hashable {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: NameKey, rhs: NameKey) -> Bool {
        lhs.bytes.count == rhs.bytes.count && sameBytes(lhs.bytes, 0, rhs.bytes, 0, count: lhs.bytes.count)
    }
}

/// The strings of the previous sample's labels, by position, as indices into the parse's string
/// table, so that a label repeated from one sample to the next (the model name, the engine,
/// every label but `le` on a histogram) is validated and allocated once, not once per sample,
/// and stored without a reference count. Why: building label strings was the largest cost of a
/// full parse after the fixes above.
struct LabelStringCache {
    private var slots: [(bytes: [UInt8], index: Int32)] = []

    /// The index of the string for `p[0..<count]` in `slot`: the slot's when the bytes repeat,
    /// else the index `intern` gives the new string; `nil` if the bytes are not UTF-8.
    mutating func index(_ p: UnsafePointer<UInt8>, count: Int, slot: Int, intern: (String) -> Int32) -> Int32? {
        if slot < slots.count, slots[slot].bytes.count == count,
           count == 0 || slots[slot].bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, p, count) == 0 }) {
            return slots[slot].index
        }
        guard let string = validatedString(UnsafeBufferPointer(start: p, count: count)) else { return nil }
        while slots.count <= slot { slots.append(([], -1)) }
        slots[slot].bytes.removeAll(keepingCapacity: true)
        slots[slot].bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
        slots[slot].index = intern(string)
        return slots[slot].index
    }
}
