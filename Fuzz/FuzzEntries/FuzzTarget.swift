/// Every fuzz target: a name (its corpus folder under Fuzz/Corpus/) and the function that takes
/// one input. The entry functions never crash on any input; an error is a fine outcome.
/// `scripts/fuzz` runs them under libFuzzer; `FuzzCorpusTests` runs every corpus file once.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case exposition
    case control
    case configuration
    case decision
    case trace

    public func run(_ bytes: [UInt8]) {
        switch self {
        case .exposition: fuzzExposition(bytes)
        case .control: fuzzControlRequest(bytes)
        case .configuration: fuzzConfiguration(bytes)
        case .decision: fuzzDecisionLines(bytes)
        case .trace: fuzzTraceReaders(bytes)
        }
    }
}
