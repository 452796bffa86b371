import Foundation
import FulcrumTestSupport
import Hummingbird
import Logging
import NIOCore

/// gzip via the system's `gzip` (Debian marks it essential), so the server sends a real
/// deflate stream without a compression dependency.
func gzipped(_ text: String) throws -> [UInt8] {
    let path = try FulcrumctlRunner.fixtureFile(text, name: "body")
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
    defer { try? FileManager.default.removeItem(at: directory) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "gzip -c -n \"$0\" > \"$0.gz\"", path]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw FulcrumctlRunner.RunnerError(description: "gzip failed") }
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
}
