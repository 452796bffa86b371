// How parsed samples are held: the samples of one parse side by side in one store, each
// family's `Samples` a range of it and each `Sample` built when read.
//
// Why not an array of `Sample` per family: a `Sample` holds references (its name, its labels),
// so building one per line cost a label array allocated and freed, a retain and a release of
// each, and a copy and destroy on its way into the array — together more than a third of a
// full parse of TGI's page (1,852 one-label samples). Rows of plain numbers that point into
// shared tables of names and label strings cost none of that; the references are taken when a
// sample is read, which callers do for the few families they use.

/// A sample's labels, in exposition order; used like an array of `Label`.
///
/// Parsed samples share one label table and each holds a range of it, so a sample keeps the
/// labels of its whole exposition alive; copy them (`Array(sample.labels)`) to keep a few for
/// long.
public struct Labels: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable, Hashable, Codable, CustomStringConvertible {
    private let storage: LabelStorage
    private let start: Int32
    private let end: Int32

    public init(_ labels: [Label]) {
        guard !labels.isEmpty else {
            self.init(storage: LabelStorage.none, range: 0..<0)
            return
        }
        var builder = SampleStoreBuilder()
        builder.appendLabels(labels)
        self.init(storage: builder.labelStorage, range: 0..<labels.count)
    }

    public init(arrayLiteral labels: Label...) {
        self.init(labels)
    }

    init(storage: LabelStorage, range: Range<Int>) {
        self.storage = storage
        start = Int32(range.lowerBound)
        end = Int32(range.upperBound)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(end - start) }

    public subscript(position: Int) -> Label {
        precondition(position >= 0 && position < endIndex, "label index \(position) out of range 0..<\(endIndex)")
        return storage.label(Int(start) + position)
    }

    public static func == (lhs: Labels, rhs: Labels) -> Bool {
        lhs.elementsEqual(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for label in self { hasher.combine(label) }
    }

    public init(from decoder: any Decoder) throws {
        self.init(try [Label](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try Array(self).encode(to: encoder)
    }

    public var description: String { Array(self).description }
}

/// A metric family's samples, in exposition order; used like an array of `Sample`.
///
/// Parsed families share one store (see the top of this file); a family keeps the samples of
/// its whole exposition alive.
public struct Samples: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable, Equatable, Codable {
    private let store: SampleStore
    private let start: Int32
    private let end: Int32

    public init(_ samples: [Sample]) {
        guard !samples.isEmpty else {
            self.init(store: SampleStore.none, range: 0..<0)
            return
        }
        var builder = SampleStoreBuilder()
        for sample in samples {
            builder.append(name: sample.name, labels: sample.labels, value: sample.value, timestamp: sample.timestamp,
                           exemplar: sample.exemplar, family: 0)
        }
        self.init(store: builder.build(familyCount: 1).store, range: 0..<samples.count)
    }

    public init(arrayLiteral samples: Sample...) {
        self.init(samples)
    }

    init(store: SampleStore, range: Range<Int>) {
        self.store = store
        start = Int32(range.lowerBound)
        end = Int32(range.upperBound)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(end - start) }

    public subscript(position: Int) -> Sample {
        precondition(position >= 0 && position < endIndex, "sample index \(position) out of range 0..<\(endIndex)")
        return store.sample(Int(start) + position)
    }

    public static func == (lhs: Samples, rhs: Samples) -> Bool {
        lhs.elementsEqual(rhs)
    }

    public init(from decoder: any Decoder) throws {
        self.init(try [Sample](from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try Array(self).encode(to: encoder)
    }
}

/// A label as stored: its name and value as indices into a string table.
struct LabelIndices {
    var name: Int32
    var value: Int32
}

/// Labels end to end, their strings in one table (a string repeated from label to label is
/// stored once, and a label holds no reference); immutable.
final class LabelStorage: Sendable {
    /// Shared by every empty `Labels`.
    static let none = LabelStorage(strings: [], pairs: [])

    let strings: [String]
    let pairs: [LabelIndices]

    init(strings: [String], pairs: [LabelIndices]) {
        self.strings = strings
        self.pairs = pairs
    }

    func label(_ index: Int) -> Label {
        let pair = pairs[index]
        return Label(strings[Int(pair.name)], strings[Int(pair.value)])
    }
}

/// One sample as stored: plain numbers only, so that appending one copies bytes. 32-bit
/// numbers: a parse has fewer rows, labels and strings than bytes, and the parser refuses
/// input of 2 GiB or more.
struct SampleRow {
    /// Index into `SampleStore.names`.
    var name: Int32
    /// The output family it belongs to while the store is built (see `SampleStoreBuilder`).
    var family: Int32
    /// Its labels: `labelStart..<labelEnd` of the store's labels.
    var labelStart: Int32
    var labelEnd: Int32
    /// Index into `SampleStore.exemplars`, or −1.
    var exemplar: Int32
    var value: Double
    var timestamp: Double?
}

/// The samples of one parse (or of one `Samples` built from an array); immutable.
final class SampleStore: Sendable {
    /// Shared by every empty `Samples` (a family is created before its samples are read).
    static let none = SampleStore(names: [], labels: .none, rows: [], exemplars: [])

    let names: [String]
    let labels: LabelStorage
    let rows: [SampleRow]
    let exemplars: [Exemplar]

    init(names: [String], labels: LabelStorage, rows: [SampleRow], exemplars: [Exemplar]) {
        self.names = names
        self.labels = labels
        self.rows = rows
        self.exemplars = exemplars
    }

    func sample(_ index: Int) -> Sample {
        let row = rows[index]
        return Sample(name: names[Int(row.name)],
                      labels: Labels(storage: labels, range: Int(row.labelStart)..<Int(row.labelEnd)),
                      value: row.value, timestamp: row.timestamp,
                      exemplar: row.exemplar >= 0 ? exemplars[Int(row.exemplar)] : nil)
    }
}

/// Collects samples, possibly of several families and in any order of families, into one
/// `SampleStore`.
struct SampleStoreBuilder {
    private var names: [String] = []
    /// Label names and values; `pairs` index it.
    private var strings: [String] = []
    private var pairs: [LabelIndices] = []
    private var rows: [SampleRow] = []
    private var exemplars: [Exemplar] = []
    /// Whether a family's samples came in more than one run (the text format allows it), so
    /// that rows must be regrouped before each family is a range.
    private var interleaved = false
    /// The highest family number appended so far. Families are numbered in order of first
    /// appearance, so a sample of a lower one than this, after another family's, is a family
    /// coming back.
    private var lastNewFamily: Int32 = -1

    mutating func reserve(rows rowCount: Int, labels labelCount: Int) {
        rows.reserveCapacity(rowCount)
        pairs.reserveCapacity(labelCount)
        // A histogram's `le` values differ from sample to sample; most other labels repeat.
        strings.reserveCapacity(rowCount)
    }

    /// Labels appended so far.
    var labelCount: Int { pairs.count }

    /// Adds `string` to the string table; its index.
    mutating func intern(_ string: String) -> Int32 {
        strings.append(string)
        return Int32(strings.count - 1)
    }

    /// Appends a label, its name and value interned before, to the labels of the sample about
    /// to be appended (see `append(name:labelStart:…)`).
    mutating func appendLabel(name: Int32, value: Int32) {
        pairs.append(LabelIndices(name: name, value: value))
    }

    /// Appends a sample whose labels are those from `labelStart` on, appended just before.
    mutating func append(name: String, labelStart: Int, value: Double, timestamp: Double?, exemplar: Exemplar?, family: Int) {
        // Consecutive samples mostly share a name (a histogram's buckets), and the parser hands
        // the same string out again, so comparing with the last one is cheap.
        if names.last != name { names.append(name) }
        var exemplarIndex: Int32 = -1
        if let exemplar {
            exemplars.append(exemplar)
            exemplarIndex = Int32(exemplars.count - 1)
        }
        let family = Int32(family)
        if family > lastNewFamily {
            lastNewFamily = family
        } else if let last = rows.last, last.family != family {
            interleaved = true
        }
        rows.append(SampleRow(name: Int32(names.count - 1), family: family, labelStart: Int32(labelStart),
                              labelEnd: Int32(pairs.count), exemplar: exemplarIndex, value: value, timestamp: timestamp))
    }

    mutating func append(name: String, labels sampleLabels: Labels, value: Double, timestamp: Double?, exemplar: Exemplar?, family: Int) {
        let labelStart = pairs.count
        appendLabels(sampleLabels)
        append(name: name, labelStart: labelStart, value: value, timestamp: timestamp, exemplar: exemplar, family: family)
    }

    /// Appends labels given as strings, each string interned afresh.
    mutating func appendLabels(_ labels: some Sequence<Label>) {
        for label in labels { appendLabel(name: intern(label.name), value: intern(label.value)) }
    }

    /// The labels appended so far, as storage.
    var labelStorage: LabelStorage { LabelStorage(strings: strings, pairs: pairs) }

    /// The store with each family's rows together (in the order they came), and the range of
    /// rows of each family `0..<familyCount`.
    func build(familyCount: Int) -> (store: SampleStore, ranges: [Range<Int>]) {
        let grouped = interleaved ? rowsGroupedByFamily(familyCount) : rows
        var ranges = [Range<Int>](repeating: 0..<0, count: familyCount)
        var index = 0
        while index < grouped.count {
            let family = Int(grouped[index].family)
            var end = index + 1
            while end < grouped.count, grouped[end].family == grouped[index].family { end += 1 }
            ranges[family] = index..<end
            index = end
        }
        return (SampleStore(names: names, labels: labelStorage, rows: grouped, exemplars: exemplars), ranges)
    }

    /// The rows by family, each family's in the order they came: a stable counting sort, which
    /// for rows of plain numbers only copies bytes.
    private func rowsGroupedByFamily(_ familyCount: Int) -> [SampleRow] {
        var next = [Int](repeating: 0, count: familyCount + 1)
        for row in rows { next[Int(row.family) + 1] += 1 }
        for family in 0..<familyCount { next[family + 1] += next[family] }
        var grouped = rows
        for row in rows {
            grouped[next[Int(row.family)]] = row
            next[Int(row.family)] += 1
        }
        return grouped
    }
}
