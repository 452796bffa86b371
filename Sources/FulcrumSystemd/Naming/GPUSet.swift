/// The GPUs one worker holds on its node, and their instance-name form.
///
/// The scheme (docs/systemd.md): `g` followed by dot-separated items, each `N` or `N-M`
/// (M > N), ascending, with adjacent GPUs always collapsed into a range. `g0-3` is GPUs
/// 0,1,2,3; `g0.2.5` is 0,2,5; `g0-1.4-5` is 0,1,4,5. Exactly one spelling per set, so a unit
/// name maps to one GPU set and back, and a restart rebuilds the GPU map from names alone.
public struct GPUSet: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Ascending, distinct, non-negative, non-empty.
    public let indices: [Int]

    /// GPU indices above this are refused: no node has that many, and it bounds the parse.
    public static let maximumIndex = 1023

    public init(_ indices: [Int]) throws(ActuatorError) {
        let sorted = indices.sorted()
        guard let first = sorted.first, first >= 0, let last = sorted.last, last <= Self.maximumIndex,
              Set(sorted).count == sorted.count
        else {
            throw ActuatorError(.refusedUnit, "The GPU list \(indices) must be non-empty, distinct and within 0...\(Self.maximumIndex); pass each GPU index once.")
        }
        self.indices = sorted
    }

    /// Parses an instance name; only the canonical spelling is accepted.
    public init(instanceName: String) throws(ActuatorError) {
        let refused = ActuatorError(.refusedUnit, "The instance name '\(instanceName)' is not a GPU set in canonical form such as g0-3 or g0.2.5; use GPUSet(...).instanceName to spell it.")
        guard instanceName.count <= 256, instanceName.hasPrefix("g") else { throw refused }
        var indices: [Int] = []
        for item in instanceName.dropFirst().split(separator: ".", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count) else { throw refused }
            var parsed: [Int] = []
            for bound in bounds {
                guard !bound.isEmpty, bound.count <= 4, bound.allSatisfy(\.isASCII), bound.allSatisfy(\.isNumber),
                      bound == "0" || !bound.hasPrefix("0"), let value = Int(bound), value <= Self.maximumIndex
                else { throw refused }
                parsed.append(value)
            }
            guard let low = parsed.first, let high = parsed.last else { throw refused }
            guard high >= low, parsed.count == 1 || high > low else { throw refused }
            indices.append(contentsOf: low...high)
        }
        guard let set = try? GPUSet(indices), set.instanceName == instanceName else { throw refused }
        self = set
    }

    public var instanceName: String {
        var items: [String] = []
        var start = indices[0], previous = indices[0]
        for index in indices.dropFirst() {
            if index == previous + 1 { previous = index; continue }
            items.append(start == previous ? "\(start)" : "\(start)-\(previous)")
            start = index
            previous = index
        }
        items.append(start == previous ? "\(start)" : "\(start)-\(previous)")
        return "g" + items.joined(separator: ".")
    }

    public var lowest: Int { indices[0] }

    public func overlaps(_ other: GPUSet) -> Bool { !Set(indices).isDisjoint(with: other.indices) }

    public static func < (lhs: GPUSet, rhs: GPUSet) -> Bool { lhs.indices.lexicographicallyPrecedes(rhs.indices) }

    public var description: String { instanceName }
}
