import Foundation

/// The built `fulcrumctl` binary, run as a user would run it.
struct FulcrumctlRunner {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// SwiftPM puts the test bundle and the executables in the same products folder.
    static var binary: URL {
        get throws {
            var candidates: [URL] = []
            if let test = Bundle.main.executableURL {
                candidates.append(test.deletingLastPathComponent().appendingPathComponent("fulcrumctl"))
            }
            let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            candidates.append(packageRoot.appendingPathComponent(".build/debug/fulcrumctl"))
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw RunnerError(description: "fulcrumctl is not built next to the tests (looked in \(candidates.map(\.path))); run swift build first.")
            }
            return found
        }
    }

    struct RunnerError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs any built tool to completion, synchronously (for quick, bounded commands); stderr
    /// goes to a file so a full pipe can never stall it.
    static func runAny(_ executable: URL, _ arguments: [String]) throws -> Outcome {
        let errorsPath = FileManager.default.temporaryDirectory.appendingPathComponent("tool-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorsPath.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorsPath) }
        let errors = try FileHandle(forWritingTo: errorsPath)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errors.close()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                       stderr: try String(contentsOf: errorsPath, encoding: .utf8))
    }

    /// Runs the binary to completion without blocking a concurrency thread while it runs.
    static func run(_ arguments: [String]) async throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrumctl-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)

        let process = Process()
        process.executableURL = try binary
        process.arguments = arguments
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try stdout.close()
        try stderr.close()
        return Outcome(
            status: status,
            stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
            stderr: try String(contentsOf: stderrURL, encoding: .utf8)
        )
    }

    /// Writes `text` to a fresh temporary file and returns its path.
    static func fixtureFile(_ text: String, name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrumctl-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}
