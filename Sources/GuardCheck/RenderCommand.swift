import Foundation
import GuardRules
import KubeModel
import OdooPlan

/// What `guardctl render` does, as a library call the tests use directly: read OdooEnvironments,
/// validate every one, and print the objects the operator would apply, as one YAML stream. When the
/// inputs hold an OdooRelease, it prints the release's dry run instead (``ReleasePreview``): the
/// cohorts in order, the environments each would switch and the gates each will wait on.
///
/// Exit codes: 0 rendered (warnings on standard error); 2 bad input, configuration or options
/// (every problem listed, nothing printed).
public enum RenderCommand {
    /// Options of `guardctl render`.
    public struct Options: Sendable {
        /// Files, directories or `-`.
        public var inputs: [String]
        /// The operator configuration file; `nil` for the built-in one.
        public var configurationPath: String?
        /// The namespace of environments that name none.
        public var namespace: String?
        /// The time the plan is made for (sleep schedules), `nil` for now.
        public var now: Date?
        /// The GuardPolicy whose Pod Security levels and node pools the plan follows; `nil`: none (the
        /// operator follows the cluster's policy).
        public var policyPath: String?

        /// Options.
        public init(inputs: [String], configurationPath: String? = nil, namespace: String? = nil) {
            self.inputs = inputs
            self.configurationPath = configurationPath
            self.namespace = namespace
        }
    }

    /// The outcome of a run: the same shape as `guard-traefik`'s (bytes for standard output, text for
    /// standard error, the exit code).
    public typealias Outcome = TraefikCommand.Outcome

    /// Renders the plans.
    public static func run(_ options: Options, standardInput: () -> [UInt8] = { ManifestSource.readStandardInput() }) -> Outcome {
        guard !options.inputs.isEmpty else { return failure(["name at least one file (-f), directory or - for standard input"]) }
        let configuration: OperatorConfiguration
        do throws(OdooPlanError) {
            if let path = options.configurationPath {
                let bytes: [UInt8]
                do { bytes = try ManifestSource.read(.file(path)) } catch { return failure([error.message]) }
                configuration = try OperatorConfiguration.decode(yaml: String(decoding: bytes, as: UTF8.self), source: path)
            } else {
                configuration = try OperatorConfiguration.builtIn()
            }
        } catch {
            return failure([error.description])
        }
        var problems: [String] = []
        var environments: [(place: String, labels: [String: String], environment: OdooEnvironment)] = []
        var releases: [OdooRelease] = []
        do throws(GuardCheckError) {
            try ManifestSource.forEachDocument(options.inputs, standardInput: standardInput, problems: &problems) { place, items in
                var found: [String] = []
                for item in items {
                    do throws(OdooPlanError) {
                        switch item["kind"]?.stringValue {
                        case "OdooEnvironment":
                            let labels = item["metadata"]?["labels"]?.stringMap ?? [:]
                            environments.append((place, labels, try OdooEnvironment.decode(item, defaultNamespace: options.namespace)))
                        case "OdooRelease":
                            releases.append(try OdooRelease.decode(item))
                        default:
                            break
                        }
                    } catch {
                        found.append("\(place): \(error.description)")
                    }
                }
                return found
            }
        } catch {
            return failure([error.message])
        }
        if problems.isEmpty && environments.isEmpty && releases.isEmpty { problems.append("the inputs hold no OdooEnvironment") }
        if !releases.isEmpty {
            guard problems.isEmpty else { return failure(problems) }
            let previews = releases.map { release in
                ReleasePreview(release: release, environments: environments.map { ($0.labels, $0.environment) }, now: options.now ?? Date(),
                               rpoHours: configuration.backup.rpoHours).text
            }
            return Outcome(standardOutput: Array(previews.joined(separator: "\n").utf8), standardError: "", exitCode: 0)
        }
        var policy: GuardPolicy?
        if let path = options.policyPath {
            do throws(GuardCheckError) { policy = try CheckCommand.loadPolicy(path) } catch { return failure([error.message]) }
        }
        let planner = OdooPlanner(configuration: policy.map(configuration.withTiers(of:)) ?? configuration)
        var objects: [JSONValue] = []
        var warnings: [String] = []
        for (place, _, environment) in environments {
            do throws(OdooPlanError) {
                let desired = try planner.plan(environment, now: options.now ?? Date(), podSecurity: policy?.podSecurity ?? PodSecuritySettings(),
                                               placement: policy?.placement ?? PlacementPolicy())
                objects += desired.printable
                warnings += desired.warnings.map { "warning: \(environment.namespace)/\(environment.name): \($0)" }
            } catch {
                problems.append("\(place): \(error.description)")
            }
        }
        guard problems.isEmpty else { return failure(problems) }
        return Outcome(standardOutput: YAMLEmitter.stream(objects), standardError: warnings.map { $0 + "\n" }.joined(), exitCode: 0)
    }

    static func failure(_ problems: [String]) -> Outcome {
        Outcome(standardOutput: [], standardError: problems.map { "error: " + $0 + "\n" }.joined(), exitCode: 2)
    }
}
