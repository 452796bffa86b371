import PropertyBased
import Testing
@testable import FulcrumTelemetry
import FuzzEntries


/// A small deterministic generator (SplitMix64), seeded by the property checker, so each case is
/// reproducible from its seed while the families themselves can be arbitrarily structured.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RandomFamilies {
    static let textPieces = ["a", "x y", "\\", "\"", "\n", "ü", "€", "日本", "\t", "\r", "{", "}", "=", ",", "#", " ", "\\n", "\\\"", "1.5", "le", ""]

    static func string(_ rng: inout SplitMix, allowCR: Bool = true, maxPieces: Int = 5) -> String {
        var out = ""
        for _ in 0..<Int.random(in: 0...maxPieces, using: &rng) {
            let piece = textPieces.randomElement(using: &rng)!
            if !allowCR, piece == "\r" { continue }
            out += piece
        }
        return out
    }

    static func value(_ rng: inout SplitMix) -> Double {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return .nan
        case 1: return .infinity
        case 2: return -.infinity
        case 3: return 0
        case 4: return Double(Int.random(in: -1000...100_000, using: &rng))
        case 5: return Double.random(in: 0..<1, using: &rng)
        case 6: return Double.random(in: -1e300...1e300, using: &rng)
        case 7: return Double(bitPattern: UInt64.random(in: 0..<0x7FF0_0000_0000_0000, using: &rng))
        case 8: return Double.random(in: Double.leastNonzeroMagnitude * 1000 ... Double.leastNormalMagnitude * 1e8, using: &rng)
        default: return Double.random(in: 0...1e6, using: &rng).rounded() / 1000
        }
    }

    static func labels(_ rng: inout SplitMix, avoiding reserved: Set<String> = []) -> [Label] {
        let names = ["model_name", "engine", "finished_reason", "a", "_x", "label.with.dots", "ü", "sp ace", "q\"uote"]
        var chosen: [Label] = []
        for name in names.shuffled(using: &rng).prefix(Int.random(in: 0...3, using: &rng)) where !reserved.contains(name) {
            chosen.append(Label(name, string(&rng)))
        }
        return chosen
    }

    static func timestamp(_ rng: inout SplitMix, format: ExpositionFormat) -> Double? {
        guard Bool.random(using: &rng) else { return nil }
        if format == .prometheusText {
            return Double(Int64.random(in: -9_999_999_999_999...9_999_999_999_999, using: &rng)) / 1000
        }
        return Double.random(in: -1e10...1e10, using: &rng)
    }

    static func exemplar(_ rng: inout SplitMix, format: ExpositionFormat) -> Exemplar? {
        guard format == .openMetrics, Int.random(in: 0..<3, using: &rng) == 0 else { return nil }
        return Exemplar(labels: labels(&rng), value: value(&rng), timestamp: timestamp(&rng, format: .openMetrics))
    }

    static func families(seed: UInt64, format: ExpositionFormat) -> [MetricFamily] {
        var rng = SplitMix(state: seed)
        var families: [MetricFamily] = []
        let types: [MetricType] = format == .openMetrics
            ? [.counter, .gauge, .histogram, .gaugeHistogram, .summary, .info, .stateSet, .unknown]
            : [.counter, .gauge, .histogram, .summary, .unknown]
        let bases = ["fam", "vllm:fam", "my.metric", "ünïcode", "with \"quote", "back\\slash", "_under"]
        for k in 0..<Int.random(in: 0...6, using: &rng) {
            let type = types.randomElement(using: &rng)!
            var name = bases.randomElement(using: &rng)! + "\(k)"
            var unit: String? = nil
            if format == .openMetrics, Bool.random(using: &rng) {
                name += "_seconds"
                unit = "seconds"
            }
            var family = MetricFamily(name: name, type: type, help: Bool.random(using: &rng) ? string(&rng, allowCR: false) : nil, unit: unit)
            var samples: [Sample] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                samples += Self.samples(for: family, &rng, format: format)
            }
            family.samples = Samples(samples)
            families.append(family)
        }
        return families
    }

    static func samples(for family: MetricFamily, _ rng: inout SplitMix, format: ExpositionFormat) -> [Sample] {
        let name = family.name
        func sample(_ suffix: String, _ labels: [Label], _ value: Double, exemplar: Bool = false) -> Sample {
            Sample(name: name + suffix, labels: labels, value: value, timestamp: timestamp(&rng, format: format),
                   exemplar: exemplar ? RandomFamilies.exemplar(&rng, format: format) : nil)
        }
        let base = labels(&rng, avoiding: ["le", "quantile"])
        switch family.type {
        case .gauge, .unknown:
            return [sample("", base, value(&rng))]
        case .stateSet:
            return [sample("", base + [Label(name, string(&rng))], value(&rng))]
        case .info:
            return [sample("_info", base, value(&rng))]
        case .counter:
            if format == .prometheusText && Bool.random(using: &rng) {
                return [sample("", base, value(&rng))]
            }
            var out = [sample("_total", base, value(&rng), exemplar: true)]
            if Bool.random(using: &rng) { out.append(sample("_created", base, value(&rng))) }
            return out
        case .histogram, .gaugeHistogram:
            var out: [Sample] = []
            let bounds = ["0.005", "1", "1.0", "2.5e-3", "+Inf", "-Inf", "1e3", "7"].shuffled(using: &rng).prefix(Int.random(in: 1...4, using: &rng))
            for bound in bounds {
                let labels = Bool.random(using: &rng) ? [Label("le", bound)] + base : base + [Label("le", bound)]
                out.append(sample("_bucket", labels, value(&rng), exemplar: true))
            }
            if family.type == .histogram {
                out.append(sample("_sum", base, value(&rng)))
                out.append(sample("_count", base, value(&rng)))
                if format == .openMetrics, Bool.random(using: &rng) { out.append(sample("_created", base, value(&rng))) }
            } else {
                out.append(sample("_gsum", base, value(&rng)))
                out.append(sample("_gcount", base, value(&rng)))
            }
            return out
        case .summary:
            var out: [Sample] = []
            for quantile in ["0.5", "0.99", "1"].prefix(Int.random(in: 0...3, using: &rng)) {
                out.append(sample("", base + [Label("quantile", quantile)], value(&rng)))
            }
            out.append(sample("_sum", base, value(&rng)))
            out.append(sample("_count", base, value(&rng)))
            return out
        }
    }
}

@Suite struct RoundTripPropertyTests {
    @Test(arguments: ExpositionFormat.allCases)
    func formatThenParseIsIdentity(format: ExpositionFormat) async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0 ... .max)) { seed in
            let families = RandomFamilies.families(seed: seed, format: format)
            let text = ExpositionFormatter.format(families, as: format)
            do {
                let parsed = try ExpositionParser.parse(text, format: .auto)
                #expect(parsed.format == format)
                #expect(parsed.families == families, "seed \(seed):\n\(text)")
                // The interest-set path materialises the same data for the families it keeps.
                if let first = families.first {
                    let only = try ExpositionParser.parse(text, families: .only([first.name]))
                    #expect(only.families.first == first)
                    #expect(only.allFamilies.map(\.name) == families.map(\.name))
                }
            } catch {
                Issue.record("seed \(seed): \(error)\n\(text)")
            }
        }
    }

    @Test func shortestDoubleSpellingsParseExactly() async {
        await propertyCheck(count: 500, input: Gen.uint64(in: 0 ... .max)) { seed in
            var rng = SplitMix(state: seed)
            for _ in 0..<50 {
                let value = RandomFamilies.value(&rng)
                let token = ExpositionFormatter.formatValue(value)
                let parsed = NumberParsing.parseDouble(Array(token.utf8))
                #expect(parsed.map { sameNumber($0, value) && $0.sign == value.sign } == true, "\(token)")
            }
        }
    }

    /// Random decimal tokens (many taking the fast path) agree bit for bit with the C library.
    @Test func decimalTokensMatchCorrectlyRoundedConversion() async {
        await propertyCheck(count: 500, input: Gen.uint64(in: 0 ... .max)) { seed in
            var rng = SplitMix(state: seed)
            for _ in 0..<50 {
                var token = Bool.random(using: &rng) ? "-" : ""
                token += String((0..<Int.random(in: 1...20, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
                if Bool.random(using: &rng) {
                    token += "." + String((0..<Int.random(in: 0...12, using: &rng)).map { _ in "0123456789".randomElement(using: &rng)! })
                }
                if Bool.random(using: &rng) { token += "e\(Int.random(in: -30...30, using: &rng))" }
                let expected = Double(token)
                let parsed = NumberParsing.parseDouble(Array(token.utf8))
                #expect(parsed?.bitPattern == expected?.bitPattern, "\(token): \(String(describing: parsed)) vs \(String(describing: expected))")
            }
        }
    }

    /// Mutated real expositions never crash the parser: they parse or throw a positioned error.
    @Test func mutatedInputsNeverCrash() async {
        let corpus = [Fixtures.vllmTwoEngines, Fixtures.vllmOpenMetrics, Fixtures.sglangPrefillDP, Fixtures.trtllm, Fixtures.dynamoFrontend].map { Array($0.utf8) }
        await propertyCheck(count: 300, input: Gen.uint64(in: 0 ... .max)) { seed in
            var rng = SplitMix(state: seed)
            var bytes = corpus.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(Array("{}\"\\=, #\n\r".utf8).randomElement(using: &rng)!, at: at)
                default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &rng)))
                }
                if bytes.isEmpty { bytes = [0x0A] }
            }
            fuzzExposition(bytes)
            do throws(ExpositionParseError) {
                _ = try ExpositionParser.parse(bytes)
            } catch {
                #expect(error.line >= 1 && error.column >= 1)
            }
        }
    }
}
