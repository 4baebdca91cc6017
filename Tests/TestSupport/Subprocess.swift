import Foundation

/// Runs tools to completion for the tests, with posix_spawn and waitpid: Foundation's Process can miss
/// the exit of a tool whose daemon child (pg_ctl's server) outlives it. Output and errors go to one
/// temporary file. Blocking: call it through ``offPool(_:)`` from async tests.
public enum Subprocess {
    /// A tool failed, or could not start.
    public struct Failed: Error, CustomStringConvertible {
        /// The command and its output.
        public var description: String
        /// A failure described in words.
        public init(description: String) { self.description = description }
    }

    /// Runs `tool` and returns its exit status (128 + signal when killed) and its combined output.
    public static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let output = "/tmp/odoo-guard-cmd-\(UUID().uuidString)"
        defer { unlink(output) }
        let pid = try start(tool, arguments, output: output, flags: O_TRUNC)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, text)
    }

    /// Runs `tool` and returns its output; a non-zero exit is an error carrying the output.
    @discardableResult
    public static func checked(_ tool: String, _ arguments: [String]) throws -> String {
        let (status, output) = try run(tool, arguments)
        guard status == 0 else {
            throw Failed(description: "\(tool) \(arguments.joined(separator: " ")) exited \(status): \(output)")
        }
        return output
    }
}

extension Subprocess {
    /// Starts `tool` in the background with output and errors appended to `log`; returns its pid.
    public static func spawn(_ tool: String, _ arguments: [String], log: String) throws -> pid_t {
        try start(tool, arguments, output: log, flags: O_APPEND)
    }

    /// posix_spawn with standard input from /dev/null and output and errors to `output` (opened with `flags`).
    private static func start(_ tool: String, _ arguments: [String], output: String, flags: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | flags, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([tool] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, tool, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failed(description: "\(tool) could not start: error \(spawned)") }
        return pid
    }

    /// Stops a process started by ``spawn(_:_:log:)``: SIGTERM, then SIGKILL after 5 s; reaps it.
    public static func terminate(_ pid: pid_t) {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno == ECHILD) { return }
            usleep(50_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`.
    public static func waitForPort(_ port: Int, timeout: Double = 10) throws {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if let fd = LoopbackTCP.connect(port: port) {
                close(fd)
                return
            }
            usleep(50_000)
        }
        throw Failed(description: "nothing listened on 127.0.0.1:\(port) after \(timeout) s")
    }
}
