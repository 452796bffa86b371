#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A hand-written parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0.
//
// Why by hand: no Swift package parses exposition text, and the formats are small, line-based
// grammars. The parser works on raw bytes: it never builds a `String` per line, compares
// metric names as byte slices, parses numbers from bytes (see `NumberParsing`), and reuses its
// scratch buffers, so a family the caller did not ask for costs a validating scan and no heap
// traffic per sample. Only families matching the caller's `FamilyFilter` get `String`s.
//
// Grammar accepted (both formats unless noted), one construct per line, lines split on LF with
// a trailing CR dropped:
//   blank line                                   ignored
//   # HELP <name> <docstring>                    escapes \\ \n \" in the docstring
//   # TYPE <name> <type>                         text: counter gauge histogram summary untyped;
//                                                OM: counter gauge histogram gaugehistogram
//                                                    stateset info summary unknown
//   # UNIT <name> <unit>                         OM requires <name> to end in _<unit>
//   # EOF                                        OM: end of input (only whitespace may follow)
//   # anything else                              comment
//   <name>[{labels}] <value> [<timestamp>] [# {labels} <value> [<timestamp>]]   (exemplar: OM)
//   {"<quoted name>", labels} <value> ...        Prometheus 3 quoted names
// <name> is [a-zA-Z_:][a-zA-Z0-9_:]* or a quoted string; label names [a-zA-Z_][a-zA-Z0-9_]* or
// quoted; label values are quoted with escapes \\ \" \n; a trailing comma is allowed; blanks
// and tabs may separate tokens. Values: decimal floats, NaN, ±Inf (any case). Timestamps:
// integer milliseconds (text), finite float seconds (OM).
//
// Structure rules enforced: a sample belongs to the current family when its name is the
// family name plus a suffix allowed for the family's type (counter: "", _total, _created —
// OM: not ""; histogram: _bucket _sum _count _created; gaugehistogram: _bucket _gsum _gcount;
// summary: "" _sum _count _created; info: _info; others ""). Otherwise it starts a new family.
// `_bucket` samples need a numeric, non-NaN `le` (any spelling: 1, 1.0, +Inf, 1e-3); summary
// quantile samples a numeric `quantile`. No duplicate label names, no second HELP/TYPE/UNIT,
// no TYPE after a family's samples; OpenMetrics families may not be interleaved (the text
// format merges a family that reappears, as Prometheus' Go parser does).

/// Parses exposition text. See the grammar above; errors are `ExpositionParseError`.
public enum ExpositionParser {
    /// Parses `bytes`. `families` limits which families are materialised; all are validated.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer,
        format: FormatChoice = .auto,
        families filter: FamilyFilter = .all
    ) throws(ExpositionParseError) -> Exposition {
        let typed = bytes.bindMemory(to: UInt8.self)
        guard let base = typed.baseAddress, typed.count > 0 else {
            let resolved: ExpositionFormat
            if case .exactly(let explicit) = format { resolved = explicit } else { resolved = .prometheusText }
            if resolved == .openMetrics {
                throw ExpositionParseError(line: 1, column: 1, reason: .missingEOF)
            }
            return Exposition(format: resolved, families: [], allFamilies: [])
        }
        guard typed.count <= Int(Int32.max) else {
            throw ExpositionParseError(line: 1, column: 1, reason: .tooLarge(bytes: typed.count))
        }
        var parser = Parser(base: base, count: typed.count, choice: format, filter: filter)
        return try parser.run()
    }

    public static func parse(
        _ bytes: [UInt8],
        format: FormatChoice = .auto,
        families filter: FamilyFilter = .all
    ) throws(ExpositionParseError) -> Exposition {
        let result: Result<Exposition, ExpositionParseError> = bytes.withUnsafeBytes { raw in
            do throws(ExpositionParseError) {
                return .success(try parse(raw, format: format, families: filter))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public static func parse(
        _ text: String,
        format: FormatChoice = .auto,
        families filter: FamilyFilter = .all
    ) throws(ExpositionParseError) -> Exposition {
        var copy = text
        let result: Result<Exposition, ExpositionParseError> = copy.withUTF8 { buffer in
            do throws(ExpositionParseError) {
                return .success(try parse(UnsafeRawBufferPointer(buffer), format: format, families: filter))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Whether `bytes` ends with a `# EOF` line, i.e. is OpenMetrics under `.auto`.
    static func endsWithEOF(_ p: UnsafePointer<UInt8>, count n: Int) -> Bool {
        var end = n
        while end > 0, isBlankOrNewline(p[end - 1]) { end -= 1 }
        guard end >= 5 else { return false }
        let start = end - 5
        let marker: [UInt8] = Array("# EOF".utf8)
        for k in 0..<5 where p[start + k] != marker[k] { return false }
        return start == 0 || p[start - 1] == UInt8(ascii: "\n")
    }
}

// MARK: - Character classes

@inline(__always) func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }
@inline(__always) func isBlankOrNewline(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
@inline(__always) func isLetterOrUnderscore(_ c: UInt8) -> Bool {
    (c | 0x20) &- UInt8(ascii: "a") < 26 || c == UInt8(ascii: "_")
}
@inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }
@inline(__always) func isMetricNameStart(_ c: UInt8) -> Bool { isLetterOrUnderscore(c) || c == UInt8(ascii: ":") }
@inline(__always) func isMetricNameChar(_ c: UInt8) -> Bool { isMetricNameStart(c) || isDigit(c) }
@inline(__always) func isLabelNameChar(_ c: UInt8) -> Bool { isLetterOrUnderscore(c) || isDigit(c) }

private let metricNameByte: UInt8 = 1
private let labelNameByte: UInt8 = 2

/// The classes above as a table, for the scanning loops: one load per byte instead of five
/// compares (the metric-name loop was the hottest code of a full parse). Allocated once, for
/// the life of the process.
// (`nonisolated(unsafe)`: written once by its initialiser, read-only after.)
nonisolated(unsafe) private let byteClasses: UnsafePointer<UInt8> = {
    let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    for code in 0..<256 {
        let c = UInt8(code)
        table[code] = (isMetricNameChar(c) ? metricNameByte : 0) | (isLabelNameChar(c) ? labelNameByte : 0)
    }
    return UnsafePointer(table)
}()

// MARK: - Parser

/// Where a label name or value's bytes are: in the input when written without escapes (the
/// common case, so nothing is copied), else unescaped into the parser's `labelBytes`.
private struct ByteRange {
    var start: Int
    var end: Int
    var inInput: Bool

    var count: Int { end - start }
}

private struct LabelSpan {
    var name: ByteRange
    var value: ByteRange
    var valueColumnOffset: Int
}

private struct FamilyRecord {
    var name: [UInt8]
    var type: MetricType = .unknown
    var typeDeclared = false
    var hasHelp = false
    var hasUnit = false
    var sampleCount = 0
    var output = -1
}

private enum MetadataKind: String {
    case help = "HELP"
    case type = "TYPE"
    case unit = "UNIT"
}

/// What a line starting with '#' holds.
private enum HashLineKeyword {
    case metadata(MetadataKind)
    case endOfInput
    case comment
}

/// An OpenMetrics exemplar as read from a sample line; its labels are in the parser's `spans`.
private struct ExemplarReading {
    /// Where its '#' stands, for errors.
    var column: Int
    var value: Double
    var timestamp: Double?
}

private struct Parser {
    typealias E = ExpositionParseError

    let p: UnsafePointer<UInt8>
    let n: Int
    let format: ExpositionFormat
    let autoDetected: Bool
    let wanted: [[UInt8]]?
    let classes = byteClasses

    var records: [FamilyRecord] = []
    var index: [NameKey: Int] = [:]
    var current = -1
    var output: [MetricFamily] = []

    var line = 0
    var lineStart = 0
    var lineEnd = 0
    var sawEOF = false

    // Scratch, reused for every line.
    var name: [UInt8] = []
    var labelBytes: [UInt8] = []
    /// The current line's labels are `spans[0..<spanCount]` (a count, so that a line reuses the
    /// array without clearing it).
    var spans: [LabelSpan] = []
    var spanCount = 0
    var text: [UInt8] = []

    // The last materialised sample name, reused while consecutive samples share it.
    var lastNameBytes: [UInt8] = []
    var lastNameString = ""
    var labelStrings = LabelStringCache()
    /// The materialised samples of every family, handed to the families when the input ends.
    var samples = SampleStoreBuilder()

    init(base: UnsafePointer<UInt8>, count: Int, choice: FormatChoice, filter: FamilyFilter) {
        p = base
        n = count
        switch choice {
        case .auto:
            format = ExpositionParser.endsWithEOF(base, count: count) ? .openMetrics : .prometheusText
            autoDetected = true
        case .exactly(let explicit):
            format = explicit
            autoDetected = false
        }
        switch filter {
        case .all:
            wanted = nil
            // Engines' pages run 40-60 bytes a sample and up to 2.6 labels a sample (vLLM's 300 KB
            // of 2,744); growing step by step copied the rows and labels over and over.
            samples.reserve(rows: count / 48, labels: count / 32)
        case .only(let names):
            wanted = names.map { Array($0.utf8) }
            samples.reserve(rows: 64, labels: 128)
        }
        name.reserveCapacity(128)
        labelBytes.reserveCapacity(512)
        spans.reserveCapacity(16)
        // Engines expose 20-60 families; growing these step by step showed in small parses.
        records.reserveCapacity(64)
        index.reserveCapacity(64)
        output.reserveCapacity(wanted?.count ?? 64)
    }

    // MARK: Errors

    func fail(_ at: Int, _ reason: E.Reason) -> E {
        E(line: line, column: at - lineStart + 1, reason: reason)
    }

    func describe(_ i: Int) -> String {
        guard i < lineEnd else { return "end of line" }
        let c = p[i]
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        if c == 0x09 { return "tab" }
        return "byte 0x" + String(c, radix: 16, uppercase: true)
    }

    func token(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBufferPointer { validatedString($0) }
    }

    // MARK: Driver

    mutating func run() throws(E) -> Exposition {
        var pos = 0
        while pos < n {
            line += 1
            lineStart = pos
            let end: Int
            if let found = memchr(p + pos, 0x0A, n - pos) {
                end = UnsafeRawPointer(found) - UnsafeRawPointer(p)
                pos = end + 1
            } else {
                end = n
                pos = n
            }
            lineEnd = end
            if lineEnd > lineStart, p[lineEnd - 1] == 0x0D { lineEnd -= 1 }

            var i = lineStart
            while i < lineEnd, isBlank(p[i]) { i += 1 }
            if sawEOF {
                if i == lineEnd { continue }
                throw fail(i, .contentAfterEOF)
            }
            if i == lineEnd { continue }
            if p[i] == UInt8(ascii: "#") {
                try parseHashLine(i)
            } else {
                try parseSample(i)
            }
        }
        if format == .openMetrics && !sawEOF {
            let endsWithNewline = p[n - 1] == 0x0A
            throw E(line: endsWithNewline ? line + 1 : max(line, 1),
                    column: endsWithNewline ? 1 : lineEnd - lineStart + 1,
                    reason: .missingEOF)
        }
        let summaries = records.map {
            FamilySummary(name: $0.output >= 0 ? output[$0.output].name : String(decoding: $0.name, as: UTF8.self), type: $0.type, sampleCount: $0.sampleCount)
        }
        let (store, ranges) = samples.build(familyCount: output.count)
        for family in output.indices { output[family].samples = Samples(store: store, range: ranges[family]) }
        return Exposition(format: format, families: output, allFamilies: summaries)
    }

    // MARK: Comments and metadata

    /// A line starting with '#': HELP, TYPE or UNIT metadata, OpenMetrics' `# EOF`, or a comment.
    mutating func parseHashLine(_ hash: Int) throws(E) {
        var i = hash + 1
        let kind: MetadataKind
        switch hashLineKeyword(&i) {
        case .comment: return
        case .endOfInput: noteEndOfInput(afterKeyword: i); return
        case .metadata(let metadataKind): kind = metadataKind
        }
        let nameColumn = try readMetadataName(&i, kind)
        switch kind {
        case .help: try parseHelpBody(afterName: i, hash: hash, nameColumn: nameColumn)
        case .type: try parseTypeBody(afterName: i, hash: hash, nameColumn: nameColumn)
        case .unit: try parseUnitBody(afterName: i, hash: hash, nameColumn: nameColumn)
        }
    }

    /// The word after "# ", leaving `i` after it. Without a blank after the '#' ("#foo") or with
    /// a word that is no keyword, the line is a comment.
    @inline(__always)
    func hashLineKeyword(_ i: inout Int) -> HashLineKeyword {
        guard i < lineEnd, isBlank(p[i]) else { return .comment }
        skipBlanks(&i)
        let keywordStart = i
        while i < lineEnd, !isBlank(p[i]) { i += 1 }
        if matches(keywordStart, i, "HELP") { return .metadata(.help) }
        if matches(keywordStart, i, "TYPE") { return .metadata(.type) }
        if matches(keywordStart, i, "UNIT") { return .metadata(.unit) }
        if matches(keywordStart, i, "EOF") { return .endOfInput }
        return .comment
    }

    /// `# EOF` ends OpenMetrics input when only blanks follow it; otherwise it is a comment.
    mutating func noteEndOfInput(afterKeyword keywordEnd: Int) {
        var i = keywordEnd
        skipBlanks(&i)
        if i == lineEnd, format == .openMetrics || autoDetected {
            // Under `.auto` a `# EOF` that is not the last line means content follows it.
            sawEOF = true
        }
    }

    /// Reads the metric name of a HELP, TYPE or UNIT line into `name`, leaving `i` at the blank
    /// (or end of line) after it. Returns where the name starts, for errors.
    @inline(__always)
    mutating func readMetadataName(_ i: inout Int, _ kind: MetadataKind) throws(E) -> Int {
        skipBlanks(&i)
        let nameColumn = i
        name.removeAll(keepingCapacity: true)
        if i < lineEnd, p[i] == UInt8(ascii: "\"") {
            try readQuoted(&i, intoName: true)
            if name.isEmpty { throw fail(nameColumn, .expected("metric name", found: "empty quoted name")) }
        } else if i < lineEnd, isMetricNameStart(p[i]) {
            let start = i
            i = scan(from: i, while: metricNameByte)
            name.append(contentsOf: UnsafeBufferPointer(start: p + start, count: i - start))
        } else {
            throw fail(i, .expected("metric name after '# \(kind.rawValue)'", found: describe(i)))
        }
        if i < lineEnd, !isBlank(p[i]) {
            throw fail(i, .expected("' ' after metric name in \(kind.rawValue) line", found: describe(i)))
        }
        return nameColumn
    }

    mutating func parseHelpBody(afterName: Int, hash: Int, nameColumn: Int) throws(E) {
        // Exactly one blank separates the name from the docstring, which runs to the end.
        let docStart = afterName < lineEnd ? afterName + 1 : afterName
        // Most docstrings have no escapes and are read in place; others are unescaped into `text`.
        let escaped = memchr(p + docStart, Int32(UInt8(ascii: "\\")), lineEnd - docStart) != nil
        if escaped {
            text.removeAll(keepingCapacity: true)
            try unescapeDocstring(docStart, lineEnd)
        }
        let record = try familyForMetadata(.help, nameColumn: nameColumn)
        if records[record].hasHelp { throw fail(hash, .duplicateMetadata("HELP", metric: nameString())) }
        records[record].hasHelp = true
        let out = records[record].output
        if out >= 0 {
            let help = escaped ? Self.string(text[...]) : validatedString(UnsafeBufferPointer(start: p + docStart, count: lineEnd - docStart))
            guard let help else { throw fail(docStart, .invalidUTF8) }
            output[out].help = help
        }
    }

    mutating func parseTypeBody(afterName: Int, hash: Int, nameColumn: Int) throws(E) {
        var i = afterName
        let word = readWord(&i)
        guard let type = metricType(word.lowerBound, word.upperBound) else { throw unknownMetricType(word) }
        if i < lineEnd { throw fail(i, .expected("end of line after metric type", found: describe(i))) }
        let record = try familyForMetadata(.type, nameColumn: nameColumn)
        if records[record].typeDeclared || records[record].sampleCount > 0 {
            throw fail(hash, .duplicateMetadata("TYPE", metric: nameString()))
        }
        records[record].type = type
        records[record].typeDeclared = true
        let out = records[record].output
        if out >= 0 { output[out].type = type }
    }

    func unknownMetricType(_ word: Range<Int>) -> E {
        let expected = format == .openMetrics
            ? "metric type (counter, gauge, histogram, gaugehistogram, stateset, info, summary, unknown)"
            : "metric type (counter, gauge, histogram, summary, untyped)"
        let found = word.isEmpty ? describe(word.lowerBound) : token(word.lowerBound, word.upperBound).debugDescription
        return fail(word.lowerBound, .expected(expected, found: found))
    }

    mutating func parseUnitBody(afterName: Int, hash: Int, nameColumn: Int) throws(E) {
        var i = afterName
        let unit = readWord(&i)
        if i < lineEnd { throw fail(i, .expected("end of line after unit", found: describe(i))) }
        if format == .openMetrics, !unit.isEmpty, !nameEndsWithUnit(unit) {
            throw fail(unit.lowerBound, .unitNotSuffix(unit: token(unit.lowerBound, unit.upperBound), metric: nameString()))
        }
        let record = try familyForMetadata(.unit, nameColumn: nameColumn)
        if records[record].hasUnit || records[record].sampleCount > 0 {
            throw fail(hash, .duplicateMetadata("UNIT", metric: nameString()))
        }
        records[record].hasUnit = true
        let out = records[record].output
        if out >= 0 { output[out].unit = token(unit.lowerBound, unit.upperBound) }
    }

    /// OpenMetrics: the family name must end with "_" + unit.
    func nameEndsWithUnit(_ unit: Range<Int>) -> Bool {
        let unitCount = unit.count
        guard name.count > unitCount + 1, name[name.count - unitCount - 1] == UInt8(ascii: "_") else { return false }
        for k in 0..<unitCount where name[name.count - unitCount + k] != p[unit.lowerBound + k] { return false }
        return true
    }

    /// The blank-delimited word at `i` (after any blanks); leaves `i` after the blanks that follow.
    @inline(__always)
    func readWord(_ i: inout Int) -> Range<Int> {
        skipBlanks(&i)
        let start = i
        while i < lineEnd, !isBlank(p[i]) { i += 1 }
        let end = i
        skipBlanks(&i)
        return start..<end
    }

    /// The first position from `i` on whose byte is not of class `byteClass` (or the line end).
    @inline(__always)
    func scan(from start: Int, while byteClass: UInt8) -> Int {
        var i = start
        while i < lineEnd, classes[Int(p[i])] & byteClass != 0 { i += 1 }
        return i
    }

    @inline(__always)
    func skipBlanks(_ i: inout Int) {
        while i < lineEnd, isBlank(p[i]) { i += 1 }
    }

    func nameString() -> String { String(decoding: name, as: UTF8.self) }

    /// Whether `p[start..<end]` is `word`.
    @inline(__always)
    func matches(_ start: Int, _ end: Int, _ word: StaticString) -> Bool {
        end - start == word.utf8CodeUnitCount && memcmp(p + start, word.utf8Start, end - start) == 0
    }

    func metricType(_ start: Int, _ end: Int) -> MetricType? {
        func `is`(_ word: StaticString) -> Bool { matches(start, end, word) }
        if `is`("counter") { return .counter }
        if `is`("gauge") { return .gauge }
        if `is`("histogram") { return .histogram }
        if `is`("summary") { return .summary }
        if format == .prometheusText {
            if `is`("untyped") { return .unknown }
            return nil
        }
        if `is`("gaugehistogram") { return .gaugeHistogram }
        if `is`("stateset") { return .stateSet }
        if `is`("info") { return .info }
        if `is`("unknown") { return .unknown }
        return nil
    }

    /// HELP docstring escapes: `\\`, `\n`, `\"`; anything else after a backslash is an error.
    mutating func unescapeDocstring(_ start: Int, _ end: Int) throws(E) {
        var i = start
        while i < end {
            // Copy the run up to the next backslash in one go.
            let run = memchr(p + i, Int32(UInt8(ascii: "\\")), end - i).map { UnsafeRawPointer($0) - UnsafeRawPointer(p) } ?? end
            text.append(contentsOf: UnsafeBufferPointer(start: p + i, count: run - i))
            i = run
            guard i < end else { return }
            guard i + 1 < end else { throw fail(i, .invalidEscape("\\")) }
            switch p[i + 1] {
            case UInt8(ascii: "\\"): text.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "\""): text.append(UInt8(ascii: "\""))
            default: throw fail(i, .invalidEscape("\\" + token(i + 1, i + 2)))
            }
            i += 2
        }
    }

    /// The family a HELP/TYPE/UNIT line for `name` refers to, creating it if new.
    mutating func familyForMetadata(_ kind: MetadataKind, nameColumn: Int) throws(E) -> Int {
        if current >= 0, records[current].name.count == name.count,
           sameBytes(records[current].name, 0, name, 0, count: name.count) { return current }
        if let existing = index[NameKey(name)] {
            if format == .openMetrics { throw fail(nameColumn, .interleavedFamily(nameString())) }
            if kind != .help || records[existing].hasHelp {
                throw fail(nameColumn, .duplicateMetadata(kind.rawValue, metric: nameString()))
            }
            current = existing
            return existing
        }
        current = try newFamily(name[...], column: nameColumn)
        return current
    }

    mutating func newFamily(_ familyName: ArraySlice<UInt8>, column: Int) throws(E) -> Int {
        var record = FamilyRecord(name: Array(familyName))
        if isWanted(familyName) {
            guard let string = Self.string(familyName) else { throw fail(column, .invalidUTF8) }
            output.append(MetricFamily(name: string))
            record.output = output.count - 1
        }
        records.append(record)
        index[NameKey(record.name)] = records.count - 1
        return records.count - 1
    }

    func isWanted(_ familyName: ArraySlice<UInt8>) -> Bool {
        guard let wanted else { return true }
        for w in wanted where related(familyName, w) { return true }
        return false
    }

    /// `a` and `b` are equal, or one is the other plus `_total`, `_bucket`, `_sum` or `_count`.
    func related(_ a: ArraySlice<UInt8>, _ b: [UInt8]) -> Bool {
        let extra = abs(a.count - b.count)
        guard extra == 0 || relatedSuffixBytes.contains(where: { $0.count == extra }) else { return false }
        let a = Array(a)
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard sameBytes(long, 0, short, 0, count: short.count) else { return false }
        if long.count == short.count { return true }
        for suffix in relatedSuffixBytes where bytes(long, from: short.count, equal: suffix) { return true }
        return false
    }

    // MARK: Samples

    /// `<name>[{labels}] <value> [<timestamp>] [# {labels} <value> [<timestamp>]]`.
    mutating func parseSample(_ start: Int) throws(E) {
        var i = start
        // (Cleared only when used: clearing an array that is already empty is not free.)
        if !labelBytes.isEmpty { labelBytes.removeAll(keepingCapacity: true) }
        spanCount = 0
        try readSampleNameAndLabels(&i, sampleStart: start)
        // The exemplar's labels follow the sample's in `spans`.
        let labelCount = spanCount
        let value = try readSampleValue(&i)
        let timestamp = try readSampleTimestamp(&i)
        var exemplar: ExemplarReading? = nil
        if i < lineEnd { exemplar = try readExemplar(&i, afterTimestamp: timestamp != nil) }

        let family = try familyCheckingStructure(sampleStart: start, labelCount: labelCount, exemplarColumn: exemplar?.column)
        let out = records[family].output
        guard out >= 0 else { return }
        try appendSample(to: out, record: family, sampleStart: start, labelCount: labelCount, value: value, timestamp: timestamp,
                         exemplar: exemplar)
    }

    /// Reads the metric name into `name` (bare, or quoted inside the label set) and the labels
    /// into `spans`, leaving `i` at the value.
    @inline(__always)
    mutating func readSampleNameAndLabels(_ i: inout Int, sampleStart start: Int) throws(E) {
        if isMetricNameStart(p[i]) {
            i = scan(from: i, while: metricNameByte)
            name.replaceSubrange(0..<name.count, with: UnsafeBufferPointer(start: p + start, count: i - start))
        } else if p[i] != UInt8(ascii: "{") {
            throw fail(i, .expected("metric name", found: describe(i)))
        } else {
            name.removeAll(keepingCapacity: true)
        }
        let afterName = i
        skipBlanks(&i)
        if i < lineEnd, p[i] == UInt8(ascii: "{") {
            try parseLabelSet(&i, allowMetricName: name.isEmpty)
            if name.isEmpty { throw fail(start, .expected("metric name", found: "a label set without one")) }
            let afterLabels = i
            skipBlanks(&i)
            if i == afterLabels, i < lineEnd {
                throw fail(i, .expected("' ' after label set", found: describe(i)))
            }
        } else if i == afterName, i < lineEnd {
            throw fail(i, .expected("'{' or ' ' after metric name \"\(nameString())\"", found: describe(i)))
        }
        guard i < lineEnd else {
            throw fail(i, .expected("sample value after \"\(nameString())\"", found: "end of line"))
        }
    }

    @inline(__always)
    func readSampleValue(_ i: inout Int) throws(E) -> Double {
        let valueStart = i
        while i < lineEnd, !isBlank(p[i]) { i += 1 }
        guard let value = NumberParsing.parseDouble(p + valueStart, count: i - valueStart) else {
            throw fail(valueStart, .invalidValue(token(valueStart, i)))
        }
        skipBlanks(&i)
        return value
    }

    /// The timestamp after the value, if any: whatever follows that does not open an exemplar.
    @inline(__always)
    func readSampleTimestamp(_ i: inout Int) throws(E) -> Double? {
        guard i < lineEnd, p[i] != UInt8(ascii: "#") else { return nil }
        let timestampStart = i
        while i < lineEnd, !isBlank(p[i]) { i += 1 }
        let timestamp = try parseTimestamp(timestampStart, i)
        skipBlanks(&i)
        return timestamp
    }

    /// What may follow a sample's value and timestamp: an OpenMetrics exemplar,
    /// `# {labels} <value> [<timestamp>]`, whose labels are appended to `spans`.
    /// (Rare, so left out of line.)
    mutating func readExemplar(_ i: inout Int, afterTimestamp: Bool) throws(E) -> ExemplarReading {
        guard p[i] == UInt8(ascii: "#"), format == .openMetrics else {
            throw fail(i, .expected(afterTimestamp ? "end of line" : "timestamp or end of line", found: describe(i)))
        }
        let column = i
        i += 1
        guard i < lineEnd, isBlank(p[i]) else { throw fail(i, .expected("' ' after '#' of an exemplar", found: describe(i))) }
        skipBlanks(&i)
        guard i < lineEnd, p[i] == UInt8(ascii: "{") else { throw fail(i, .expected("'{' to start the exemplar's labels", found: describe(i))) }
        try parseLabelSet(&i, allowMetricName: false)
        guard i < lineEnd, isBlank(p[i]) else { throw fail(i, .expected("' ' before the exemplar value", found: describe(i))) }
        skipBlanks(&i)
        let valueStart = i
        while i < lineEnd, !isBlank(p[i]) { i += 1 }
        guard let value = NumberParsing.parseDouble(p + valueStart, count: i - valueStart) else {
            if valueStart == i { throw fail(valueStart, .expected("exemplar value", found: "end of line")) }
            throw fail(valueStart, .invalidValue(token(valueStart, i)))
        }
        skipBlanks(&i)
        guard i < lineEnd else { return ExemplarReading(column: column, value: value, timestamp: nil) }
        let timestampStart = i
        while i < lineEnd, !isBlank(p[i]) { i += 1 }
        let timestamp = try parseTimestamp(timestampStart, i)
        skipBlanks(&i)
        if i < lineEnd { throw fail(i, .expected("end of line after exemplar", found: describe(i))) }
        return ExemplarReading(column: column, value: value, timestamp: timestamp)
    }

    /// The family the sample belongs to, after checking the sample fits it: a numeric bound on
    /// buckets and quantiles, exemplars only on `_total` and `_bucket` samples.
    @inline(__always)
    mutating func familyCheckingStructure(sampleStart start: Int, labelCount: Int, exemplarColumn: Int?) throws(E) -> Int {
        let family = try familyForSample(start)
        records[family].sampleCount += 1
        let type = records[family].type
        let suffixStart = records[family].name.count
        if type == .histogram || type == .gaugeHistogram, bytes(name, from: suffixStart, equal: bucketSuffix) {
            try checkBound(leLabel, labelCount: labelCount, sampleColumn: start)
        } else if type == .summary, suffixStart == name.count {
            try checkBound(quantileLabel, labelCount: labelCount, sampleColumn: start)
        }
        if let exemplarColumn, !(bytes(name, from: suffixStart, equal: totalSuffix) || bytes(name, from: suffixStart, equal: bucketSuffix)) {
            throw fail(exemplarColumn, .exemplarNotAllowed(nameString()))
        }
        return family
    }

    /// Materialises the sample, with its exemplar, into the output family `out`.
    @inline(__always)
    mutating func appendSample(
        to out: Int, record: Int, sampleStart start: Int, labelCount: Int, value: Double, timestamp: Double?, exemplar: ExemplarReading?
    ) throws(E) {
        var attached: Exemplar?
        if let exemplar {
            attached = Exemplar(labels: try exemplarLabels(labelCount..<spanCount, exemplar.column), value: exemplar.value, timestamp: exemplar.timestamp)
        }
        let labelStart = samples.labelCount
        for k in 0..<labelCount {
            let span = spans[k]
            guard let labelName = cachedString(span.name, slot: 2 * k),
                  let labelValue = cachedString(span.value, slot: 2 * k + 1) else { throw fail(start, .invalidUTF8) }
            samples.appendLabel(name: labelName, value: labelValue)
        }
        samples.append(name: try sampleNameString(start, record: record), labelStart: labelStart, value: value, timestamp: timestamp,
                       exemplar: attached, family: out)
    }

    func parseTimestamp(_ start: Int, _ end: Int) throws(E) -> Double {
        if format == .openMetrics {
            guard let seconds = NumberParsing.parseDouble(p + start, count: end - start), seconds.isFinite else {
                throw fail(start, .invalidTimestamp(token(start, end)))
            }
            return seconds
        }
        guard let milliseconds = NumberParsing.parseInt64(p + start, count: end - start) else {
            throw fail(start, .invalidTimestamp(token(start, end)))
        }
        return Double(milliseconds) / 1000
    }

    /// Checks that the sample's label `label` exists and is a number other than NaN.
    func checkBound(_ label: [UInt8], labelCount: Int, sampleColumn: Int) throws(E) {
        for k in 0..<labelCount {
            let span = spans[k]
            guard span.name.count == label.count,
                  withBytes(span.name, { memcmp($0.baseAddress!, label, label.count) == 0 }) else { continue }
            let bound = withBytes(span.value) { NumberParsing.parseDouble($0.baseAddress!, count: $0.count) }
            guard let bound, !bound.isNaN else {
                let raw = withBytes(span.value) { String(decoding: $0, as: UTF8.self) }
                throw fail(span.valueColumnOffset, .invalidBound(label: String(decoding: label, as: UTF8.self), value: raw))
            }
            return
        }
        throw fail(sampleColumn, .missingLabel(String(decoding: label, as: UTF8.self), metric: nameString()))
    }

    func fits(_ family: Int) -> Bool {
        let count = records[family].name.count
        guard name.count >= count, sameBytes(name, 0, records[family].name, 0, count: count) else { return false }
        let type = records[family].type
        if type == .counter, format == .openMetrics, name.count == count { return false }
        for suffix in type.allowedSuffixBytes where bytes(name, from: count, equal: suffix) { return true }
        return false
    }

    /// The family the current sample (`name`) belongs to.
    mutating func familyForSample(_ column: Int) throws(E) -> Int {
        if current >= 0, fits(current) { return current }
        // A family seen before: the sample's own name, or its name without a type suffix.
        if let existing = index[NameKey(name)] {
            guard fits(existing) else {
                throw fail(column, .sampleDoesNotFitType(sample: nameString(), family: nameString(), type: typeName(records[existing].type)))
            }
            if format == .openMetrics { throw fail(column, .interleavedFamily(nameString())) }
            current = existing
            return existing
        }
        for suffix in allSuffixBytes where bytes(name, properlyEndWith: suffix) {
            let base = Array(name[..<(name.count - suffix.count)])
            if let existing = index[NameKey(base)], fits(existing) {
                if format == .openMetrics { throw fail(column, .interleavedFamily(String(decoding: base, as: UTF8.self))) }
                current = existing
                return existing
            }
        }
        current = try newFamily(name[...], column: column)
        return current
    }

    func typeName(_ type: MetricType) -> String {
        type == .unknown && format == .prometheusText ? "untyped" : type.rawValue
    }

    // MARK: Labels and quoted strings

    /// Parses `{...}` starting at `i` (which is at '{'), appending to `spans` / `labelBytes`.
    /// With `allowMetricName`, a leading quoted string not followed by '=' is the metric name.
    mutating func parseLabelSet(_ i: inout Int, allowMetricName: Bool) throws(E) {
        i += 1
        let firstSpan = spanCount
        var first = true
        while true {
            while i < lineEnd, isBlank(p[i]) { i += 1 }
            guard i < lineEnd else { throw fail(i, .expected("label name or '}'", found: "end of line")) }
            let c = p[i]
            if c == UInt8(ascii: "}") { i += 1; return }
            let itemColumn = i
            let labelName: ByteRange
            if c == UInt8(ascii: "\"") {
                let nameStart = labelBytes.count
                try readQuoted(&i, intoName: false)
                var j = i
                while j < lineEnd, isBlank(p[j]) { j += 1 }
                if j >= lineEnd || p[j] != UInt8(ascii: "=") {
                    // Not a label: a quoted metric name, allowed first and only if none precedes.
                    guard allowMetricName, first else {
                        let quoted = String(decoding: labelBytes[nameStart...], as: UTF8.self)
                        throw fail(j, .expected("'=' after label name \(quoted.debugDescription)", found: describe(j)))
                    }
                    name.append(contentsOf: labelBytes[nameStart...])
                    labelBytes.removeSubrange(nameStart...)
                    if name.isEmpty { throw fail(itemColumn, .expected("metric name", found: "empty quoted name")) }
                    first = false
                    i = j
                    if i < lineEnd, p[i] == UInt8(ascii: ",") { i += 1; continue }
                    if i < lineEnd, p[i] == UInt8(ascii: "}") { i += 1; return }
                    throw fail(i, .expected("',' or '}' after metric name", found: describe(i)))
                }
                if labelBytes.count == nameStart { throw fail(itemColumn, .expected("label name", found: "empty quoted name")) }
                labelName = ByteRange(start: nameStart, end: labelBytes.count, inInput: false)
            } else if isLetterOrUnderscore(c) {
                let start = i
                i = scan(from: i, while: labelNameByte)
                labelName = ByteRange(start: start, end: i, inInput: true)
            } else {
                throw fail(i, .expected(first ? "label name or '}'" : "label name", found: describe(i)))
            }
            while i < lineEnd, isBlank(p[i]) { i += 1 }
            guard i < lineEnd, p[i] == UInt8(ascii: "=") else {
                let quoted = withBytes(labelName) { String(decoding: $0, as: UTF8.self) }.debugDescription
                throw fail(i, .expected("'=' after label name \(quoted)", found: describe(i)))
            }
            i += 1
            while i < lineEnd, isBlank(p[i]) { i += 1 }
            guard i < lineEnd, p[i] == UInt8(ascii: "\"") else {
                let quoted = withBytes(labelName) { String(decoding: $0, as: UTF8.self) }.debugDescription
                throw fail(i, .expected("'\"' to open the value of label \(quoted)", found: describe(i)))
            }
            let valueColumn = i
            let value = try readLabelValue(&i)
            for k in firstSpan..<spanCount where spans[k].name.count == labelName.count
                && withBytes(spans[k].name, { old in withBytes(labelName) { memcmp(old.baseAddress!, $0.baseAddress!, $0.count) == 0 } }) {
                throw fail(itemColumn, .duplicateLabel(withBytes(labelName) { String(decoding: $0, as: UTF8.self) }))
            }
            let span = LabelSpan(name: labelName, value: value, valueColumnOffset: valueColumn)
            if spanCount < spans.count { spans[spanCount] = span } else { spans.append(span) }
            spanCount += 1
            first = false
            while i < lineEnd, isBlank(p[i]) { i += 1 }
            guard i < lineEnd else { throw fail(i, .expected("',' or '}' after label value", found: "end of line")) }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "}") { i += 1; return }
            throw fail(i, .expected("',' or '}' after label value", found: describe(i)))
        }
    }

    /// A label value at `i` (at '"'): in place when it has no escapes, else unescaped into
    /// `labelBytes`; leaves `i` after the closing quote.
    @inline(__always)
    mutating func readLabelValue(_ i: inout Int) throws(E) -> ByteRange {
        var j = i + 1
        while j < lineEnd, p[j] != UInt8(ascii: "\""), p[j] != UInt8(ascii: "\\") { j += 1 }
        if j < lineEnd, p[j] == UInt8(ascii: "\"") {
            defer { i = j + 1 }
            return ByteRange(start: i + 1, end: j, inInput: true)
        }
        let start = labelBytes.count
        try readQuoted(&i, intoName: false)
        return ByteRange(start: start, end: labelBytes.count, inInput: false)
    }

    /// Calls `body` with the bytes `range` names (never empty-based: an empty range gets a valid
    /// base address).
    @inline(__always)
    func withBytes<R>(_ range: ByteRange, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if range.inInput || labelBytes.isEmpty {
            return body(UnsafeBufferPointer(start: p + (range.inInput ? range.start : 0), count: range.count))
        }
        return labelBytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(start: $0.baseAddress! + range.start, count: range.count)) }
    }

    /// Reads a double-quoted string at `i` (at '"') with escapes `\\`, `\"`, `\n`, appending the
    /// unescaped bytes to `name` or `labelBytes`; leaves `i` after the closing quote.
    /// (Mutating and selecting the buffer by flag: passing one of our own arrays `inout` to a
    /// non-mutating method would make Swift copy the whole parser on every call.)
    mutating func readQuoted(_ i: inout Int, intoName: Bool) throws(E) {
        if intoName {
            try Self.readQuoted(p, &i, lineStart: lineStart, lineEnd: lineEnd, line: line, into: &name)
        } else {
            try Self.readQuoted(p, &i, lineStart: lineStart, lineEnd: lineEnd, line: line, into: &labelBytes)
        }
    }

    static func readQuoted(
        _ p: UnsafePointer<UInt8>, _ i: inout Int, lineStart: Int, lineEnd: Int, line: Int, into buffer: inout [UInt8]
    ) throws(E) {
        func fail(_ at: Int, _ reason: E.Reason) -> E { E(line: line, column: at - lineStart + 1, reason: reason) }
        func token(_ start: Int, _ end: Int) -> String {
            String(decoding: UnsafeBufferPointer(start: p + start, count: end - start), as: UTF8.self)
        }
        let open = i
        i += 1
        var runStart = i
        while i < lineEnd {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                buffer.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart))
                i += 1
                return
            }
            if c == UInt8(ascii: "\\") {
                buffer.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart))
                guard i + 1 < lineEnd else { throw fail(open, .unterminatedString) }
                switch p[i + 1] {
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
                case UInt8(ascii: "n"): buffer.append(0x0A)
                default: throw fail(i, .invalidEscape("\\" + token(i + 1, i + 2)))
                }
                i += 2
                runStart = i
                continue
            }
            i += 1
        }
        throw fail(open, .unterminatedString)
    }

    // MARK: Materialisation

    /// The sample's name as a string: the previous sample's again when the bytes repeat, or its
    /// family's when it is the family's name (a gauge's or a text-format counter's, which most
    /// of an engine's samples are), else a new one.
    mutating func sampleNameString(_ column: Int, record: Int) throws(E) -> String {
        if name.count == lastNameBytes.count, sameBytes(name, 0, lastNameBytes, 0, count: name.count) { return lastNameString }
        let familyName = records[record].name
        let string: String
        if name.count == familyName.count, sameBytes(name, 0, familyName, 0, count: name.count) {
            string = output[records[record].output].name
        } else {
            guard let made = Self.string(name[...]) else { throw fail(column, .invalidUTF8) }
            string = made
        }
        lastNameBytes.removeAll(keepingCapacity: true)
        lastNameBytes.append(contentsOf: name)
        lastNameString = string
        return string
    }

    /// An exemplar's labels `spans[range]`, built afresh (exemplars are rare); a sample's labels
    /// reuse the previous sample's strings by position instead (`cachedString`).
    func exemplarLabels(_ range: Range<Int>, _ column: Int) throws(E) -> [Label] {
        var labels: [Label] = []
        labels.reserveCapacity(range.count)
        for span in spans[range] {
            guard let labelName = withBytes(span.name, { validatedString($0) }),
                  let labelValue = withBytes(span.value, { validatedString($0) }) else { throw fail(column, .invalidUTF8) }
            labels.append(Label(labelName, labelValue))
        }
        return labels
    }

    /// The label name or value `range` as an index into the parse's string table (see
    /// `LabelStringCache`).
    mutating func cachedString(_ range: ByteRange, slot: Int) -> Int32? {
        if range.inInput || range.count == 0 {
            return labelStrings.index(p + range.start, count: range.count, slot: slot) { samples.intern($0) }
        }
        return labelBytes.withUnsafeBufferPointer { bytes in
            labelStrings.index(bytes.baseAddress! + range.start, count: range.count, slot: slot) { samples.intern($0) }
        }
    }
}

private let relatedSuffixBytes: [[UInt8]] = relatedSuffixes.map { Array($0.utf8) }
private let bucketSuffix: [UInt8] = Array("_bucket".utf8)
private let totalSuffix: [UInt8] = Array("_total".utf8)
private let leLabel: [UInt8] = Array("le".utf8)
private let quantileLabel: [UInt8] = Array("quantile".utf8)
private let allSuffixBytes: [[UInt8]] = ["_total", "_created", "_bucket", "_sum", "_count", "_gsum", "_gcount", "_info"].map { Array($0.utf8) }
