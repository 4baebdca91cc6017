import Crypto
import Foundation
import KubeModel

/// Small OCI image layouts written by the tests (`oci-layout`, `index.json`, `blobs/sha256/…`), to be
/// pushed with ``Skopeo``: a one-layer image, a two-platform index, or a cosign signature artefact.
public struct OCILayout: Sendable {
    /// The layout directory.
    public let path: String
    /// The digest of what `index.json` points at (the image manifest, or the image index).
    public let digest: String
    /// Whether it is a multi-platform index (push with `--all`).
    public let isIndex: Bool

    private static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("odoo-guard-oci-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/blobs/sha256", withIntermediateDirectories: true)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(toFile: path + "/oci-layout", atomically: true, encoding: .utf8)
        return path
    }

    /// Writes a blob; returns its descriptor fields.
    private static func blob(_ bytes: [UInt8], in path: String) throws -> (digest: String, size: Int) {
        let hex = Hex.encode(SHA256.hash(data: bytes))
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/blobs/sha256/" + hex))
        return ("sha256:" + hex, bytes.count)
    }

    private static func json(_ value: JSONValue) -> [UInt8] { value.serializedBytes() }

    private static func descriptor(_ mediaType: String, _ blob: (digest: String, size: Int), extra: JSONObject = [:]) -> JSONValue {
        var fields: JSONObject = ["mediaType": .string(mediaType), "digest": .string(blob.digest), "size": .int(Int64(blob.size))]
        for (key, value) in extra { fields[key] = value }
        return .object(fields)
    }

    /// An image manifest for one platform whose only layer holds `content`.
    private static func manifest(content: String, architecture: String, in path: String) throws -> (digest: String, size: Int) {
        let layer = try blob(Array(content.utf8), in: path)
        let config = try blob(json(.object(["architecture": .string(architecture), "os": .string("linux"),
                                            "rootfs": .object(["type": .string("layers"), "diff_ids": .array([.string(layer.digest)])])])), in: path)
        return try blob(json(.object([
            "schemaVersion": .int(2), "mediaType": .string("application/vnd.oci.image.manifest.v1+json"),
            "config": descriptor("application/vnd.oci.image.config.v1+json", config),
            "layers": .array([descriptor("application/vnd.oci.image.layer.v1.tar", layer)]),
        ])), in: path)
    }

    private static func finish(_ path: String, top: (digest: String, size: Int), mediaType: String, isIndex: Bool) throws -> OCILayout {
        try Data(json(.object(["schemaVersion": .int(2), "manifests": .array([descriptor(mediaType, top)])])))
            .write(to: URL(fileURLWithPath: path + "/index.json"))
        return OCILayout(path: path, digest: top.digest, isIndex: isIndex)
    }

    /// A single-platform image; `seed` makes its digest unique.
    public static func image(seed: String) throws -> OCILayout {
        let path = try directory()
        let top = try manifest(content: "odoo-guard test image \(seed)\n", architecture: "amd64", in: path)
        return try finish(path, top: top, mediaType: "application/vnd.oci.image.manifest.v1+json", isIndex: false)
    }

    /// A two-platform (amd64, arm64) image index.
    public static func index(seed: String) throws -> OCILayout {
        let path = try directory()
        var manifests: [JSONValue] = []
        for architecture in ["amd64", "arm64"] {
            let image = try manifest(content: "odoo-guard test image \(seed) \(architecture)\n", architecture: architecture, in: path)
            manifests.append(descriptor("application/vnd.oci.image.manifest.v1+json", image,
                                        extra: ["platform": .object(["architecture": .string(architecture), "os": .string("linux")])]))
        }
        let index = try blob(json(.object(["schemaVersion": .int(2), "mediaType": .string("application/vnd.oci.image.index.v1+json"),
                                           "manifests": .array(manifests)])), in: path)
        return try finish(path, top: index, mediaType: "application/vnd.oci.image.index.v1+json", isIndex: true)
    }

    /// A cosign signature artefact: one simple-signing layer per (payload, base64 signature).
    public static func signatureArtefact(_ layers: [(payload: [UInt8], signature: String)]) throws -> OCILayout {
        try artefact(layers.map { ($0.payload, "application/vnd.dev.cosign.simplesigning.v1+json",
                                   ["dev.cosignproject.cosign/signature": .string($0.signature)]) })
    }

    /// A cosign attestation artefact: one DSSE envelope layer per entry, annotated with its
    /// predicate type as `cosign attest` does (or not, when `nil`).
    public static func attestationArtefact(_ layers: [(envelope: [UInt8], predicateType: String?)]) throws -> OCILayout {
        try artefact(layers.map { layer in
            var annotations: JSONObject = ["dev.cosignproject.cosign/signature": ""]
            if let type = layer.predicateType { annotations["predicateType"] = .string(type) }
            return (layer.envelope, "application/vnd.dsse.envelope.v1+json", annotations)
        })
    }

    /// An image manifest whose layers are the given blobs (cosign's artefacts have an empty config).
    private static func artefact(_ layers: [(bytes: [UInt8], mediaType: String, annotations: JSONObject)]) throws -> OCILayout {
        let path = try directory()
        var descriptors: [JSONValue] = []
        var diffIDs: [JSONValue] = []
        for layer in layers {
            let stored = try blob(layer.bytes, in: path)
            diffIDs.append(.string(stored.digest))
            descriptors.append(descriptor(layer.mediaType, stored, extra: ["annotations": .object(layer.annotations)]))
        }
        let config = try blob(json(.object(["architecture": .string(""), "os": .string(""), "config": .object([:]),
                                            "rootfs": .object(["type": .string("layers"), "diff_ids": .array(diffIDs)])])), in: path)
        let manifest = try blob(json(.object([
            "schemaVersion": .int(2), "mediaType": .string("application/vnd.oci.image.manifest.v1+json"),
            "config": descriptor("application/vnd.oci.image.config.v1+json", config), "layers": .array(descriptors),
        ])), in: path)
        return try finish(path, top: manifest, mediaType: "application/vnd.oci.image.manifest.v1+json", isIndex: false)
    }

    /// Deletes the layout.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Cosign's key-based signing, done the way `cosign sign --key` does it: ECDSA P-256 over the
/// simple-signing payload's bytes, ASN.1 DER, base64.
public enum CosignTestSigner {
    /// The simple-signing payload cosign writes for `digest` of `reference` (a repository).
    public static func payload(digest: String, reference: String) -> [UInt8] {
        Array(#"{"critical":{"identity":{"docker-reference":"\#(reference)"},"image":{"docker-manifest-digest":"\#(digest)"},"type":"cosign container image signature"},"optional":null}"#.utf8)
    }

    /// The base64 signature of `payload`.
    public static func sign(_ payload: [UInt8], with key: P256.Signing.PrivateKey) throws -> String {
        try key.signature(for: payload).derRepresentation.base64EncodedString()
    }
}

/// Cosign's key-based attestations, made the way `cosign attest --key --type vuln` does: an in-toto
/// statement in a DSSE envelope, signed (ECDSA P-256) over the envelope's pre-authentication encoding.
public enum CosignTestAttester {
    /// The predicate type of a cosign vulnerability scan.
    public static let vulnerabilityType = "https://cosign.sigstore.dev/attestation/vuln/v1"

    /// A Trivy JSON report with one vulnerability per (id, severity, fixed version) entry.
    public static func trivyReport(_ findings: [(id: String, severity: String, fixed: String)]) -> JSONValue {
        let vulnerabilities: [JSONValue] = findings.map { finding in
            ["VulnerabilityID": .string(finding.id), "PkgName": "openssl", "InstalledVersion": "3.0.11-1",
             "FixedVersion": .string(finding.fixed), "Severity": .string(finding.severity)]
        }
        return ["SchemaVersion": 2, "ArtifactName": "odoo", "ArtifactType": "container_image",
                "Results": [["Target": "odoo (debian 12.7)", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": .array(vulnerabilities)]]]
    }

    /// The in-toto statement of a vulnerability scan of `digest` in `repository`, finished at `finishedOn`.
    public static func statement(digest: String, repository: String, finishedOn: String, result: JSONValue,
                                 predicateType: String = vulnerabilityType) -> [UInt8] {
        let hex = String(digest.dropFirst("sha256:".count))
        let statement: JSONValue = [
            "_type": "https://in-toto.io/Statement/v0.1", "predicateType": .string(predicateType),
            "subject": [["name": .string(repository), "digest": ["sha256": .string(hex)]]],
            "predicate": ["invocation": ["parameters": .null, "uri": "", "event_id": "", "builder.id": ""],
                          "scanner": ["uri": "pkg:github/aquasecurity/trivy", "version": "0.58.1",
                                      "db": ["uri": "", "version": ""], "result": result],
                          "metadata": ["scanStartedOn": .string(finishedOn), "scanFinishedOn": .string(finishedOn)]],
        ]
        return statement.serializedBytes()
    }

    /// A DSSE envelope of `payload` signed with `key` (`payloadType` is in-toto's unless given).
    public static func envelope(_ payload: [UInt8], key: P256.Signing.PrivateKey,
                                payloadType: String = "application/vnd.in-toto+json") throws -> [UInt8] {
        let signed = Array("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(payload.count) ".utf8) + payload
        let signature = try key.signature(for: signed).derRepresentation.base64EncodedString()
        let envelope: JSONValue = ["payloadType": .string(payloadType), "payload": .string(Data(payload).base64EncodedString()),
                                   "signatures": [["keyid": "", "sig": .string(signature)]]]
        return envelope.serializedBytes()
    }
}

/// `skopeo copy` from a layout to a registry, keeping digests.
public enum Skopeo {
    /// The binary.
    public static let binary = "/usr/bin/skopeo"

    /// Registry credentials for a push.
    public struct Credentials: Sendable {
        /// The user.
        public let user: String
        /// The password.
        public let password: String
        /// Credentials.
        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    /// Pushes `layout` to `destination` (`127.0.0.1:5000/odoo/odoo:17.0`). `certDirectory` holds the
    /// registry's CA as `ca.crt` (TLS); without it the push is plain HTTP.
    public static func push(_ layout: OCILayout, to destination: String, certDirectory: String? = nil,
                            credentials: Credentials? = nil) throws {
        var arguments = ["copy", "--quiet", "--preserve-digests"]
        if layout.isIndex { arguments.append("--all") }
        if let certDirectory { arguments += ["--dest-cert-dir", certDirectory] } else { arguments.append("--dest-tls-verify=false") }
        if let credentials { arguments += ["--dest-creds", "\(credentials.user):\(credentials.password)"] }
        arguments += ["oci:" + layout.path, "docker://" + destination]
        try Subprocess.checked(binary, arguments)
    }
}
