import Foundation
import KubeModel

/// An `OdooRestore`: replace an environment's database and filestore with a backup — of itself
/// (`Restore`), or of another environment with the patient data masked (`Refresh`, production into
/// staging). The operator checks the request before anything stops, then stops web and cron,
/// restores, upgrades when the versions differ, neutralises and masks a refresh, and starts the
/// environment again; each step is recorded in the status, so a restarted operator resumes it.
public struct OdooRestore: Sendable, Equatable {
    /// What the restore does with the data.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// The environment's own backup back into it (or another environment's, same tenant).
        case restore = "Restore"
        /// Another environment's backup into a non-production environment, neutralised and masked.
        case refresh = "Refresh"
    }

    /// Where the data comes from.
    public struct Source: Sendable, Equatable {
        /// The source environment (default: the target).
        public var environment: String
        /// Its namespace (default: the restore's).
        public var namespace: String
        /// The backup's stamp (`20261204T013000Z`), `nil` for the newest.
        public var backup: String?
        /// A point in time to recover to (CloudNativePG's WAL archive only).
        public var targetTime: Date?
    }

    /// The restore's name.
    public var name: String
    /// Its namespace, the target environment's.
    public var namespace: String
    /// Its uid (the Jobs' owner).
    public var uid: String?
    /// Its generation.
    public var generation: Int64?
    /// The target OdooEnvironment, in ``namespace``.
    public var environment: String
    /// Restore or refresh.
    public var mode: Mode
    /// The source.
    public var source: Source

    /// The change reference an approval of a production restore names: `restore/<name>`.
    public var changeReference: String { "restore/\(name)" }

    /// Whether the data comes from another environment.
    public var fromElsewhere: Bool { source.environment != environment || source.namespace != namespace }

    /// Decodes an OdooRestore, reporting every invalid field with its path.
    /// - Throws: ``OdooPlanError`` `invalidEnvironment` with the field errors.
    public static func decode(_ object: JSONValue) throws(OdooPlanError) -> OdooRestore {
        var reader = FieldReader()
        let root = reader.object(object, .root, required: true) ?? [:]
        let metadata = reader.object(root["metadata"], "metadata", required: true) ?? [:]
        let name = reader.string(metadata["name"], "metadata.name", required: true) ?? ""
        let namespace = reader.string(metadata["namespace"], "metadata.namespace", required: true) ?? ""
        let spec = reader.object(root["spec"], "spec", required: true) ?? [:]
        reader.unknownKeys(spec, allowed: ["environment", "mode", "source"], "spec")
        let environment = reader.string(spec["environment"], "spec.environment", required: true) ?? ""
        let mode = reader.enumeration(spec["mode"], "spec.mode", Mode.self) ?? .restore
        let sourceObject = reader.object(spec["source"], "spec.source") ?? [:]
        reader.unknownKeys(sourceObject, allowed: ["environment", "namespace", "backup", "targetTime"], "spec.source")
        let backup = reader.string(sourceObject["backup"], "spec.source.backup")
        if let backup, backup != "latest", backup.range(of: #"^[0-9]{8}T[0-9]{6}Z$"#, options: .regularExpression) == nil {
            reader.errors.append(.invalid("spec.source.backup", "\"\(backup)\" is not a backup stamp such as 20261204T013000Z (or latest)"))
        }
        var targetTime: Date?
        if let text = reader.string(sourceObject["targetTime"], "spec.source.targetTime") {
            targetTime = Timestamp.parse(text)
            if targetTime == nil { reader.errors.append(.invalid("spec.source.targetTime", "\"\(text)\" is not an RFC 3339 time such as 2026-12-04T10:30:00Z")) }
            if backup != nil { reader.errors.append(.invalid("spec.source.targetTime", "names a point in time; leave spec.source.backup out with it")) }
        }
        for (value, path) in [(spec["environment"], FieldPath("spec.environment")), (sourceObject["environment"], "spec.source.environment"),
                              (sourceObject["namespace"], "spec.source.namespace")] {
            if let name = value?.stringValue, !DNSLabel.isValid(name) {
                reader.errors.append(.invalid(path, "\"\(String(name.prefix(80)))\" is not a DNS label (lowercase letters, digits and '-', at most 63)"))
            }
        }
        if mode == .refresh && sourceObject["environment"] == nil {
            reader.errors.append(.required("spec.source.environment", "is required for a Refresh: name the environment whose data refreshes this one"))
        }
        guard reader.errors.isEmpty else {
            throw OdooPlanError.invalidEnvironment("OdooRestore \(namespace)/\(name) is invalid", fieldErrors: reader.errors)
        }
        let source = Source(environment: sourceObject["environment"]?.stringValue ?? environment,
                            namespace: sourceObject["namespace"]?.stringValue ?? namespace,
                            backup: backup == "latest" ? nil : backup, targetTime: targetTime)
        return OdooRestore(name: name, namespace: namespace, uid: metadata["uid"]?.stringValue, generation: metadata["generation"]?.intValue,
                           environment: environment, mode: mode, source: source)
    }
}
