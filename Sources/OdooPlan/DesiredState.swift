import GuardRules
import KubeModel

/// Everything one OdooEnvironment should have, as values: the objects to server-side apply (in apply
/// order), the Secrets to create once, and what the plan noticed.
public struct DesiredState: Sendable {
    /// Objects applied with field manager `odoo-guard`, in dependency order: the namespace's labels,
    /// quota and limits, network policies, configuration, volume, Services, Deployments, the PDB,
    /// then the Traefik objects.
    public var objects: [JSONValue]
    /// Secrets created once when absent and never rewritten.
    public var secrets: [GeneratedSecret]
    /// The image the workloads run.
    public var image: String
    /// Whether ``image`` is pinned by digest.
    public var imagePinned: Bool
    /// Things a person should know that do not stop the plan (sticky sessions, an unpinned image).
    public var warnings: [String]
    /// The Job that initialises a new database (created only until the status records the database
    /// as initialised; printed so that offline checks judge it too).
    public var initJob: JSONValue?
    /// The most connections the environment can hold; the role's `CONNECTION LIMIT`.
    public var connectionBudget: ConnectionBudget?
    /// The same as recorded in `status.connectionBudget`, with the tier's cap.
    public var connectionRecord: ConnectionBudgetRecord?
    /// `status.sleep` as planned, for an environment with a sleep schedule.
    public var sleep: SleepStatus?
    /// Who decides how many web pods run.
    public var webReplicas = WebReplicas.fixed(0)
    /// The autoscaler's minimum at the plan's time (`spec.scaling`), computed once: the HPA, the
    /// status and the requeue read it.
    public var scalingMinimum: Scaling.Minimum?

    /// The objects, the init Job and the Secrets (values shown as `<generated>`), for printing.
    public var printable: [JSONValue] { objects + printedBesideObjects }

    /// What ``printable`` adds to ``objects``: the init Job and the Secrets.
    var printedBesideObjects: [JSONValue] {
        (initJob.map { [$0] } ?? []) + secrets.map { $0.object(values: [:]) }
    }
}

/// A Secret the operator generates: fixed entries (host, port, user names) plus random ones, created
/// once with a CSPRNG and never rewritten on later reconciles.
public struct GeneratedSecret: Sendable, Equatable {
    /// The Secret's name.
    public var name: String
    /// Its namespace.
    public var namespace: String
    /// Its labels.
    public var labels: [String: String]
    /// The ownerReferences (empty when the environment has no uid yet).
    public var ownerReferences: [JSONValue]
    /// Entries known in advance.
    public var fixed: [String: String]
    /// Random entries: key → length in characters.
    public var generated: [String: Int]
    /// The Secret's type: `Opaque`, or `kubernetes.io/basic-auth` for a login CloudNativePG reads.
    public var type = "Opaque"

    /// The alphabet of generated values: letters and digits, safe in URLs, odoo.conf and shells.
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// The Secret with random entries drawn from `generator` (use `SystemRandomNumberGenerator`,
    /// the operating system's CSPRNG, outside tests).
    public func materialize<G: RandomNumberGenerator>(using generator: inout G) -> JSONValue {
        var values: [String: String] = [:]
        for (key, length) in generated {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(length)
            for _ in 0..<length { bytes.append(GeneratedSecret.alphabet[Int.random(in: 0..<GeneratedSecret.alphabet.count, using: &generator)]) }
            values[key] = String(decoding: bytes, as: UTF8.self)
        }
        return object(values: values)
    }

    /// The Secret object; generated entries missing from `values` show as `<generated>`.
    public func object(values: [String: String]) -> JSONValue {
        var data: JSONObject = [:]
        for key in (Array(fixed.keys) + Array(generated.keys)).sorted() {
            data[key] = .string(fixed[key] ?? values[key] ?? "<generated>")
        }
        var metadata: JSONObject = [
            "annotations": ["odooguard.io/generated": .string(generated.keys.sorted().joined(separator: ","))],
            "labels": .object(JSONObject(uniqueKeysWithValues: labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })),
            "name": .string(name), "namespace": .string(namespace),
        ]
        if !ownerReferences.isEmpty { metadata["ownerReferences"] = .array(ownerReferences) }
        return ["apiVersion": "v1", "kind": "Secret", "metadata": .object(metadata), "stringData": .object(data), "type": .string(type)]
    }
}
