import Foundation
import GuardRules
import KubeModel

/// What `guardctl check` does, as a library call the tests use directly: load the policy, expand and
/// read the inputs, check, render. Returns the text for stdout and stderr and the exit code
/// (0 allowed, 1 denied, 2 usage errors or unreadable input).
public enum CheckCommand {
    /// The outcome of a run.
    public struct Outcome: Sendable {
        /// Text for standard output.
        public var standardOutput: String
        /// Text for standard error.
        public var standardError: String
        /// The process exit code.
        public var exitCode: Int32
    }

    /// Options of `guardctl check`.
    public struct Options: Sendable {
        /// Files, directories or `-`.
        public var paths: [String]
        /// A GuardPolicy file; `nil` for the embedded default.
        public var policyPath: String?
        /// The stage forced on every namespace.
        public var stage: String?
        /// The report format.
        public var format: ReportFormatter.Format
        /// The clock, as RFC 3339 text; `nil` for now.
        public var now: String?
        /// Whether every mutation an object needs is a violation of its rule (`--deny-mutations`).
        public var denyMutations: Bool
        /// The user (`--as`) and groups (`--as-group`) the documents are applied by.
        public var user: UserInfo
        /// Files or directories of cluster state (`--context`): not judged, only consulted.
        public var contextPaths: [String] = []
        /// Skip documents that are not Kubernetes objects with a warning (`--skip-non-kubernetes`).
        public var skipNonKubernetes = false

        /// Options.
        public init(paths: [String], policyPath: String? = nil, stage: String? = nil, format: ReportFormatter.Format = .text, now: String? = nil,
                    denyMutations: Bool = false, user: UserInfo = UserInfo(username: "guardctl"), contextPaths: [String] = []) {
            self.contextPaths = contextPaths
            self.denyMutations = denyMutations
            self.user = user
            self.paths = paths
            self.policyPath = policyPath
            self.stage = stage
            self.format = format
            self.now = now
        }
    }

    /// Registry look-ups for `--registry`: the facts for the documents' images under the policy's
    /// provenance settings (the webhook's own look-ups; the caller owns the network).
    public typealias ImageLookUp = @Sendable (_ lookups: [ImageLookup], _ policy: ProvenancePolicy) async -> ImageProvenanceFacts

    /// Runs a check offline.
    public static func run(_ options: Options, standardInput: () -> [UInt8] = { ManifestSource.readStandardInput() }) -> Outcome {
        do throws(GuardCheckError) {
            let loaded = try load(options, standardInput: standardInput)
            let results = loaded.checker.judge(loaded.prepared)
            let outcome = finish(loaded, results: results, format: options.format)
            releaseElsewhere((consume loaded, consume results))
            return outcome
        } catch {
            return Outcome(standardOutput: "", standardError: "error: \(error.message)\n", exitCode: 2)
        }
    }

    /// Runs a check whose images are first looked up in their registries (`--registry`), so the
    /// provenance rules (digest resolution, signatures, scan attestations) judge as in the webhook.
    public static func run(_ options: Options, standardInput: () -> [UInt8] = { ManifestSource.readStandardInput() },
                           lookUp: ImageLookUp) async -> Outcome {
        let loaded: Loaded
        do throws(GuardCheckError) { loaded = try load(options, standardInput: standardInput) } catch {
            return Outcome(standardOutput: "", standardError: "error: \(error.message)\n", exitCode: 2)
        }
        let lookups = loaded.checker.imageLookups(loaded.prepared)
        let facts = lookups.isEmpty ? ImageProvenanceFacts() : await lookUp(lookups, loaded.checker.evaluator.policy.provenance)
        let results = loaded.checker.judge(loaded.prepared, provenance: facts)
        let outcome = finish(loaded, results: results, format: options.format)
        releaseElsewhere((consume loaded, consume results))
        return outcome
    }

    /// Drops what a check built (every document's tree, context and decision: about 200 MB for 10,000
    /// documents) on another thread, so the report is written while it is freed instead of after.
    /// Nothing else happens there; a process that exits first simply does not free it.
    private static func releaseElsewhere<Value>(_ value: consuming Value) {
        let leftovers = Leftovers(value)
        DispatchQueue.global(qos: .utility).async { leftovers.value = nil }
    }

    /// What ``releaseElsewhere(_:)`` hands to the other thread; only that thread touches it afterwards.
    private final class Leftovers<Value>: @unchecked Sendable {
        var value: Value?
        init(_ value: consuming Value) { self.value = value }
    }

    /// The checker and the parsed inputs of a run, with the inputs that could not be read.
    struct Loaded {
        let checker: OfflineChecker
        let prepared: OfflineChecker.Prepared
        let readErrors: [String]
    }

    private static func load(_ options: Options, standardInput: () -> [UInt8]) throws(GuardCheckError) -> Loaded {
        let policy = try loadPolicy(options.policyPath)
        var now = Date()
        if let text = options.now {
            guard let parsed = Timestamp.parse(text) else {
                throw GuardCheckError.invalidOption("--now must be an RFC 3339 time such as 2026-11-21T12:00:00Z, not \"\(text)\"")
            }
            now = parsed
        }
        var checker = try OfflineChecker(policy: policy, stageOverride: options.stage, now: now,
                                         phase: options.denyMutations ? .strict : .combined, user: options.user)
        checker.skipNonKubernetes = options.skipNonKubernetes
        guard !options.paths.isEmpty else { throw GuardCheckError.invalidOption("name at least one file, directory or - for standard input") }
        var sources: [OfflineChecker.Source] = []
        var readErrors: [String] = []
        for input in try ManifestSource.expand(options.paths) {
            do {
                let bytes = input == .standardInput ? standardInput() : try ManifestSource.read(input)
                sources.append(OfflineChecker.Source(name: input.displayName, bytes: bytes, format: ManifestSource.format(of: input)))
            } catch {
                readErrors.append(error.message)
            }
        }
        var context: [OfflineChecker.Source] = []
        for input in try ManifestSource.expand(options.contextPaths) {
            do {
                context.append(OfflineChecker.Source(name: input.displayName, bytes: try ManifestSource.read(input), format: ManifestSource.format(of: input)))
            } catch {
                readErrors.append(error.message)
            }
        }
        let prepared = checker.prepare(sources, context: context)
        if prepared.isEmpty && readErrors.isEmpty {
            let skipped = prepared.skipped.isEmpty ? "" : " (\(prepared.skipped.count) skipped as not Kubernetes objects)"
            throw GuardCheckError.invalidOption("no Kubernetes document to check in \(options.paths.joined(separator: " "))\(skipped): a gate with nothing to check does not pass")
        }
        return Loaded(checker: checker, prepared: prepared, readErrors: readErrors)
    }

    private static func finish(_ loaded: Loaded, results: [CheckResult], format: ReportFormatter.Format) -> Outcome {
        var code = OfflineChecker.exitCode(results)
        if !loaded.readErrors.isEmpty { code = 2 }
        let errorText = loaded.readErrors.map { "error: \($0)\n" }.joined()
            + loaded.prepared.skipped.map { "warning: \($0): not a Kubernetes object (no apiVersion or kind); skipped (--skip-non-kubernetes)\n" }.joined()
        return Outcome(standardOutput: ReportFormatter.render(results, format: format), standardError: errorText, exitCode: code)
    }

    /// Loads a policy file, or the embedded default for `nil`.
    /// - Throws: ``GuardCheckError`` `invalidPolicy` naming the file and every invalid field.
    public static func loadPolicy(_ path: String?) throws(GuardCheckError) -> GuardPolicy {
        guard let path else {
            do { return try GuardPolicy.builtIn() } catch { throw GuardCheckError.invalidPolicy("embedded policy: \(error.description)") }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GuardCheckError.invalidPolicy("\(path): cannot read the policy file")
        }
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            throw GuardCheckError.invalidPolicy("\(path): the policy file is not valid UTF-8")
        }
        do {
            return try GuardPolicy(text: text)
        } catch {
            throw GuardCheckError.invalidPolicy("\(path): \(error.description)")
        }
    }
}

extension ManifestSource {
    /// All of standard input.
    public static func readStandardInput() -> [UInt8] {
        Array(FileHandle.standardInput.readDataToEndOfFile())
    }
}
