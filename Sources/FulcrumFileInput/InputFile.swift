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
