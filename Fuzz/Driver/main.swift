#if canImport(Glibc)
import Glibc
#endif
import FuzzEntries

// libFuzzer's driver, run with the target named by FULCRUM_FUZZ_TARGET (see scripts/fuzz).
// SwiftPM links an executable's `main` as `fulcrum_fuzz_main`, so that symbol hands control to
// libFuzzer (its own `main` is not used); built only with FULCRUM_FUZZ=1 and -sanitize=fuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    FuzzDriver.target.run(bytes)
    return 0
}

enum FuzzDriver {
    static let target: FuzzTarget = {
        let name = getenv("FULCRUM_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set FULCRUM_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return target
    }()
}

@_cdecl("fulcrum_fuzz_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in testOneInput(data, size) }
}
