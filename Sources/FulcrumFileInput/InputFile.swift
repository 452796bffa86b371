import Foundation

/// A file the user named that could not be read, with the reason in words.
///
/// Foundation's own errors read "The operation could not be completed. (NSCocoaErrorDomain
/// error 256.)" for a directory; every reader of a user's file (configuration, profiles,
/// scenarios, traces) goes through `InputFile` so each says what is wrong the same way.
public struct UnreadableFile: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    /// Why, as a clause: "there is no such file", "it is a directory", …
    public var reason: String

    public var description: String { "\(path) cannot be read: \(reason)" }
}

public enum InputFile {
    /// The file's bytes.
    public static func data(at path: String) throws(UnreadableFile) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw UnreadableFile(path: path, reason: reason(reading: path, error: error))
        }
    }

    /// The file's text, which must be UTF-8.
    public static func text(at path: String) throws(UnreadableFile) -> String {
        let bytes = try data(at: path)
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw UnreadableFile(path: path, reason: "it is not UTF-8 text")
        }
        return text
    }

    private static func reason(reading path: String, error: any Error) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return "there is no such file"
        }
        if isDirectory.boolValue {
            return "it is a directory"
        }
        if !FileManager.default.isReadableFile(atPath: path) {
            return "this user may not read it"
        }
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey].map { " (\($0))" } ?? ""
        return "reading it failed\(underlying)"
    }
}

/// A file the user named for output that could not be written, with the reason in words.
public struct UnwritableFile: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    /// Why, as a clause: "it is a directory", "this user may not write in /sys", …
    public var reason: String

    public var description: String { "\(path) cannot be written: \(reason)" }
}

public enum OutputFile {
    /// Writes `data` to `path` atomically (a temporary file renamed over it: a failed write
    /// never leaves half a file), creating the folder first as `mkdir -p` would.
    public static func write(_ data: Data, to path: String) throws(UnwritableFile) {
        try checkWritable(path)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw UnwritableFile(path: path, reason: errnoText(error).map { "the write failed (\($0))" } ?? "the write failed")
        }
    }

    /// Fails now, before any work, if `write(_:to:)` could not write `path` later: it names a
    /// directory, or its folder cannot be created or written. (A simulation of many minutes
    /// must not end in "cannot write".)
    public static func checkWritable(_ path: String) throws(UnwritableFile) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        if path.isEmpty || path.hasSuffix("/") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw UnwritableFile(path: path, reason: "it is a directory, not a file name")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw UnwritableFile(path: path, reason: "its folder \(folder.path) cannot be created (\(errnoText(error) ?? "check the path"))")
        }
        // A real file, not access(2): root passes access() on read-only mounts such as /sys.
        let probe = folder.appendingPathComponent(".fulcrum-write-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        guard FileManager.default.createFile(atPath: probe, contents: nil) else {
            throw UnwritableFile(path: path, reason: "nothing can be written in \(folder.path) (read-only, or this user may not)")
        }
        try? FileManager.default.removeItem(atPath: probe)
    }

    /// The POSIX reason under a Foundation error ("No space left on device"), if it has one.
    private static func errnoText(_ error: any Error) -> String? {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        guard let code = underlying?.domain == NSPOSIXErrorDomain ? underlying?.code : nil else { return nil }
        return String(cString: strerror(Int32(code)))
    }
}
