import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `guardctl-full`, the executable that holds the subcommands needing PostgreSQL, registry and X.509
/// code. The light `guardctl` (check, render, policy) does not link that code, so a clean
/// `swift run guardctl check` builds in minutes; it hands these subcommands — and `check --registry` —
/// to `guardctl-full` with the same arguments, so users see one CLI.
public enum Companion {
    /// The executable's name.
    public static let executableName = "guardctl-full"
    /// Set in the environment of the hand-over: a `guardctl-full` that is really a light `guardctl`
    /// (a copy under the wrong name) would otherwise hand the command back to itself for ever.
    static let handedOver = "ODOO_GUARD_HANDED_OVER"

    /// A subcommand that runs in `guardctl-full`.
    public enum Command: String, CaseIterable, Sendable {
        /// `guardctl audit verify`.
        case audit
        /// `guardctl evidence`.
        case evidence
        /// `guardctl verify-image`.
        case verifyImage = "verify-image"
        /// `guardctl certs generate|rotate`.
        case certs

        /// The one-line help both executables show.
        public var abstract: String {
            switch self {
            case .audit: "Verify the webhook's hash-chained audit table in PostgreSQL."
            case .evidence: "Write an auditor's report (HTML or JSON) of a period: production changes with requester, approver, change reference and digests; denials by rule; exceptions in force; backups and restore rehearsals; and the audit chain's verification."
            case .verifyImage: "Resolve an image to its digest, verify its cosign signature and read its scan attestation against trusted keys."
            case .certs: "Generate and rotate the admission webhook's CA and serving certificate."
            }
        }
    }

    /// The subcommand `arguments` (without the program name) start with, when it runs in `guardctl-full`.
    public static func forwarded(_ arguments: [String]) -> Command? {
        arguments.first.flatMap(Command.init(rawValue:))
    }

    /// Where `guardctl-full` is: next to the running executable, else the first on `PATH`.
    /// - Parameters:
    ///   - executable: the running executable's file.
    ///   - searchPath: the `PATH` value.
    public static func locate(executable: URL?, searchPath: String?) -> String? {
        var candidates: [String] = []
        if let directory = executable?.resolvingSymlinksInPath().deletingLastPathComponent() {
            candidates.append(directory.appendingPathComponent(executableName).path)
        }
        for directory in (searchPath ?? "").split(separator: ":") where !directory.isEmpty {
            candidates.append("\(directory)/\(executableName)")
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// What to tell a user whose `guardctl` has no `guardctl-full` beside it.
    /// - Parameters:
    ///   - what: the command asked for (`audit`, `check --registry`).
    ///   - directory: where `guardctl` runs from.
    public static func missingMessage(_ what: String, directory: String) -> String {
        "guardctl: `guardctl \(what)` runs in \(executableName), which holds the PostgreSQL, registry and certificate code that "
            + "guardctl leaves out so that `swift run guardctl check` builds quickly; it is neither in \(directory) nor on PATH. "
            + "Build it with `swift build --product \(executableName)` (then this command works as typed), or run "
            + "`swift run \(executableName) \(what) …`. Release images hold both executables."
    }

    /// Replaces this process with `guardctl-full` run with `arguments` (without the program name): its
    /// output, errors and exit status are the command's. Exits 2 with ``missingMessage(_:directory:)``
    /// when it cannot be found, with the system's reason when it cannot be started, and when this
    /// process was itself started by a hand-over (the `guardctl-full` found is not the real one).
    public static func run(_ arguments: [String], asking what: String) -> Never {
        if ProcessInfo.processInfo.environment[handedOver] != nil {
            FileHandle.standardError.write(Data("guardctl: `guardctl \(what)` was handed to \(executableName), which handed it back: the \(executableName) found is a copy of guardctl; build the real one with `swift build --product \(executableName)`\n".utf8))
            exit(2)
        }
        let executable = Bundle.main.executableURL
        guard let path = locate(executable: executable, searchPath: ProcessInfo.processInfo.environment["PATH"]) else {
            let directory = executable?.resolvingSymlinksInPath().deletingLastPathComponent().path ?? "."
            FileHandle.standardError.write(Data((missingMessage(what, directory: directory) + "\n").utf8))
            exit(2)
        }
        setenv(handedOver, "1", 1)
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(path, &argv)
        let reason = String(cString: strerror(errno))
        FileHandle.standardError.write(Data("guardctl: could not start \(path): \(reason)\n".utf8))
        exit(2)
    }
}
