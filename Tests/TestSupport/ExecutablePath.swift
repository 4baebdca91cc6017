import Foundation

/// The package's executables as `swift build --build-tests` leaves them, next to the test binary.
public enum ExecutablePath {
    /// The path of executable `name` in the build directory the tests run from.
    public static func built(_ name: String) -> String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the test binary is .build/debug/<package>PackageTests.xctest; on macOS a bundle inside it.
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            directory = directory.deletingLastPathComponent()
        }
        return ".build/debug/\(name)"
    }

    /// The first executable `name` on `PATH`, or `name` itself when none is (the start then fails
    /// with a message naming it).
    public static func onPath(_ name: String) -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return name
    }
}
