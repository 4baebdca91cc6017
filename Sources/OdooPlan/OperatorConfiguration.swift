import GuardRules
import KubeModel
import TraefikGen

/// How the operator builds environments on this cluster: the image repository, where Traefik, DNS,
/// the shared database and Redis servers and SMTP are, and what each tier may use.
/// Decoded from a YAML file (`guard-operator --config`, `guardctl render --config`) by
/// ``OperatorConfiguration/decode(_:)``; ``OperatorConfiguration/builtIn`` when none is given.
public struct OperatorConfiguration: Sendable, Equatable {
    /// A shared PostgreSQL server.
    public struct DatabaseServer: Sendable, Equatable {
        /// The name environments use in `spec.database.sharedServer`.
        public var name: String
        /// Host name Odoo connects to.
        public var host: String
        /// Port.
        public var port: Int
        /// The namespace the server runs in (NetworkPolicy egress), or `nil` when outside the cluster.
        public var namespace: String?
        /// Networks the server is in when outside the cluster (NetworkPolicy egress).
        public var cidrs: [String]
        /// The Secret key holding the administrator's `postgres://` DSN the operator provisions
        /// roles and databases with (`nil`: the operator only writes credentials, someone else provisions).
        public var adminSecret: SecretKeyReference?

        /// A server.
        public init(name: String, host: String, port: Int, namespace: String?, cidrs: [String], adminSecret: SecretKeyReference? = nil) {
            self.name = name
            self.host = host
            self.port = port
            self.namespace = namespace
            self.cidrs = cidrs
            self.adminSecret = adminSecret
        }
    }

    /// One key of a Secret.
    public struct SecretKeyReference: Sendable, Equatable {
        /// The Secret's namespace.
        public var namespace: String
        /// The Secret's name.
        public var name: String
        /// The key.
        public var key: String

        /// A reference.
        public init(namespace: String, name: String, key: String) {
            self.namespace = namespace
            self.name = name
            self.key = key
        }
    }

    /// Where backups go and how fresh they must be.
    public struct BackupStorage: Sendable, Equatable {
        /// The S3 endpoint URL (`nil`: AWS's own for the region).
        public var endpoint: String?
        /// The default `s3://bucket/prefix` (each environment adds `namespace/name/`).
        public var bucket: String
        /// The S3 region.
        public var region: String
        /// The default name of the Secret, in each environment's namespace, holding
        /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
        public var credentialsSecret: String
        /// Networks the object storage is in (NetworkPolicy egress of backup pods).
        public var cidrs: [String]
        /// Its ports.
        public var ports: [Int]
        /// The recovery point objective per stage: the oldest a last good backup may be, in hours.
        public var rpoHours: [OdooEnvironment.Stage: Int]
        /// OpenPGP encryption of dumps and filestore archives in the pod (`nil`: none).
        public var encryption: BackupEncryption?
        /// A second bucket (another region or provider) every backup is also copied to (`nil`: none).
        public var copy: BackupCopy?
    }

    /// `backup.copy`: where every backup is copied after its upload, with the same retention.
    public struct BackupCopy: Sendable, Equatable {
        /// `s3://bucket/prefix` (each environment adds `namespace/name/`).
        public var bucket: String
        /// Its region (`nil`: the primary's).
        public var region: String?
        /// Its endpoint URL (`nil`: AWS's own for the region).
        public var endpoint: String?
        /// The Secret, in each environment's namespace, with its `AWS_ACCESS_KEY_ID` and
        /// `AWS_SECRET_ACCESS_KEY` (`nil`: the primary's credentials).
        public var credentialsSecret: String?

        /// A copy target.
        public init(bucket: String, region: String? = nil, endpoint: String? = nil, credentialsSecret: String? = nil) {
            self.bucket = bucket
            self.region = region
            self.endpoint = endpoint
            self.credentialsSecret = credentialsSecret
        }
    }

    /// `backup.encryption`: the public key backups are encrypted for in the pod, and the Secret
    /// (in each environment's namespace, key `private.asc`) that only the restore rehearsal mounts.
    /// The private key is never in the backup path.
    public struct BackupEncryption: Sendable, Equatable {
        /// The armored OpenPGP public key (`-----BEGIN PGP PUBLIC KEY BLOCK-----`).
        public var publicKey: String
        /// The Secret holding the armored private key under `private.asc`, mounted by the rehearsal only.
        public var privateKeySecret: String

        /// Encryption for `publicKey`, decrypted with the key in `privateKeySecret`.
        public init(publicKey: String, privateKeySecret: String) {
            self.publicKey = publicKey
            self.privateKeySecret = privateKeySecret
        }
    }

    /// The shared Redis server.
    public struct RedisServer: Sendable, Equatable {
        /// Host name.
        public var host: String
        /// Port.
        public var port: Int
        /// Its namespace (NetworkPolicy egress).
        public var namespace: String?
        /// Its networks when outside the cluster.
        public var cidrs: [String]
        /// The Secret key holding the password of ``adminUser``, who creates the environments' ACL users
        /// (`nil`: the operator only writes credentials).
        public var adminSecret: SecretKeyReference?
        /// The ACL user the operator logs in as.
        public var adminUser: String
        /// Whether the operator's admin connection is encrypted (`redis.tls.mode`, default `prefer`).
        /// Production environments are provisioned only over TLS, whatever the mode.
        public var tls: RedisTLSMode = .prefer
        /// The Secret key with the PEM CA bundle the server's certificate must chain to (`redis.tls.caSecret`;
        /// `nil`: the system's trust store).
        public var caSecret: SecretKeyReference?
    }

    /// Whether a connection to the shared Redis uses TLS (Redis serves it on its `tls-port`, without STARTTLS).
    public enum RedisTLSMode: String, Sendable, Equatable, CaseIterable {
        /// Plain text (refused for production environments).
        case disable
        /// TLS when the server completes a handshake, plain text otherwise (production: TLS only).
        case prefer
        /// TLS only.
        case require
    }

    /// What one tier may use.
    public struct TierLimits: Sendable, Equatable {
        /// ResourceQuota `hard` for the environment's namespace.
        public var quota: [String: Quantity]
        /// The containers' defaults and maxima: the GuardPolicy's `spec.tiers.<tier>`, their one owner
        /// (the webhook injects and enforces the same values); see ``OperatorConfiguration/withTiers(of:)``.
        public var container: TierPolicy
        /// The most connections one environment may hold (its worst case, ``ConnectionBudget``, must
        /// fit; the role's `CONNECTION LIMIT` is set to that worst case).
        public var connectionLimit: Int
        /// How long backups of the tier's environments are kept (`backupRetentionDays`).
        public var backupRetention = RetentionBounds(defaultDays: 14, minimumDays: 7, maximumDays: 35)

        /// LimitRange container `defaultRequest` (also the Odoo containers' requests when the spec sets none).
        public var defaultRequests: [String: Quantity] { container.defaultRequests }
        /// LimitRange container `default` limits (also the Odoo containers' limits when the spec sets none).
        public var defaultLimits: [String: Quantity] { container.defaultLimits }
        /// LimitRange container `max`.
        public var maximum: [String: Quantity] { container.maximum }
    }

    /// The configuration with each tier's container defaults and maxima taken from `policy` (the
    /// policy the operator checks its plans against; decoding starts from the embedded policy's).
    public func withTiers(of policy: GuardPolicy) -> OperatorConfiguration {
        var result = self
        for tier in Tier.allCases { result.tiers[tier]?.container = policy.tier(tier) }
        return result
    }

    /// The image repository used when `spec.image` is absent (tagged with the version).
    public var imageRepository: String
    /// The PostgreSQL image of dedicated servers, backups and restore rehearsals (its client tools).
    public var postgresImage: String
    /// The Redis image of dedicated session stores.
    public var redisImage: String
    /// The S3 client image of backups (the AWS CLI).
    public var s3ClientImage: String
    /// Backup storage and freshness.
    public var backup: BackupStorage
    /// The namespace Traefik runs in (the ingress source of users' requests).
    public var traefikNamespace: String
    /// The namespace the operator runs in: its pods (`app.kubernetes.io/component: operator`) may
    /// reach an environment's web pods on 8069 for the synthetic login check that ends a change's
    /// verification. Not read from the configuration file: `guard-operator` sets its own namespace at start.
    public var operatorNamespace = "odoo-guard"
    /// The Traefik generation to generate for.
    public var traefikTarget: TraefikTarget
    /// Traefik's HTTP entry point.
    public var webEntryPoint: String
    /// Traefik's HTTPS entry point.
    public var secureEntryPoint: String
    /// The namespace of the cluster DNS.
    public var dnsNamespace: String
    /// Shared PostgreSQL servers, the first the default.
    public var databaseServers: [DatabaseServer]
    /// The shared Redis server, when there is one.
    public var redis: RedisServer?
    /// Networks SMTP relays are in.
    public var smtpCIDRs: [String]
    /// SMTP ports.
    public var smtpPorts: [Int]
    /// The default StorageClass of filestores (`nil`: the cluster's default).
    public var filestoreStorageClass: String?
    /// Per tier.
    public var tiers: [OdooEnvironment.Tier: TierLimits]
    /// The uid Odoo runs as (the official image's `odoo` user).
    public var odooUID: Int
    /// How every change of image or addons is verified after its switch.
    public var verification = Verification()
    /// The CloudNativePG operator the dedicated tier's PostgreSQL runs on (`cloudNativePG`; `nil`:
    /// the cluster has none, and dedicated environments get the single-pod StatefulSet).
    public var cloudNativePG: CloudNativePG?

    /// The verification of changes (`verification` in the file).
    public struct Verification: Sendable, Equatable {
        /// How long a change is watched once rolled out (`windowSeconds`, 1…86400, default 600).
        public var windowSeconds = 600
        /// How long after its switch a change may take to roll out (`rolloutDeadlineSeconds`,
        /// 1…86400, default 900: past the Deployment's own 600 s progress deadline).
        public var rolloutDeadlineSeconds = 900
        /// Restarts of one container on the new digests that make a restart loop (`restartLimit`, 1…100, default 3).
        public var restartLimit = 3

        /// The defaults.
        public init() {}
    }

    /// The configuration a fresh install uses: `docker.io/library/odoo`, the tool images pinned by
    /// digest (so the rendered plan passes the default policy's `image.digest-pinned`), Traefik v3 in `traefik`, one
    /// shared server `postgres` in namespace `databases`, a shared Redis in `redis` (their admin
    /// credentials in the `odoo-guard` namespace), backups to S3 bucket `odoo-backups` with RPOs of
    /// 24/72/168 hours, SMTP on 25/465/587.
    public static let builtInText = """
        apiVersion: odooguard.io/v1alpha1
        kind: OperatorConfiguration
        image:
          repository: docker.io/library/odoo
          postgres: "docker.io/library/postgres:15@sha256:9b1d34adbce1dd07ee6e94b4a2cf698884b89bd44a6c9c12f5da8f3acbfe4957"
          redis: "docker.io/library/redis:7.4@sha256:71da9275c5f3fcb97d0fa0c8c5b36cc995327265420f17a04bfd544f458059f7"
          s3Client: "docker.io/amazon/aws-cli:2.17.0@sha256:643507c10ada7964ca6157b3d799f030b90577643da9955d319a77399ed80d73"
        traefik: {namespace: traefik, target: v3, webEntryPoint: web, secureEntryPoint: websecure}
        dns: {namespace: kube-system}
        databases:
          - name: main
            host: postgres.databases.svc.cluster.local
            port: 5432
            namespace: databases
            adminSecret: {namespace: odoo-guard, name: postgres-main-admin, key: dsn}
        redis:
          host: redis.redis.svc.cluster.local
          port: 6379
          namespace: redis
          adminSecret: {namespace: odoo-guard, name: redis-admin, key: password}
          tls: {mode: prefer}
        backup:
          bucket: s3://odoo-backups
          region: us-east-1
          credentialsSecret: backup-s3-credentials
          cidrs: [0.0.0.0/0]
          ports: [443]
          rpoHours: {production: 24, staging: 72, development: 168}
        smtp: {cidrs: [0.0.0.0/0], ports: [25, 465, 587]}
        filestore: {}
        odooUID: 101
        tiers:
          shared:
            quota: {requests.cpu: "8", requests.memory: 16Gi, limits.memory: 32Gi, pods: "30", persistentvolumeclaims: "4", requests.storage: 200Gi}
            connectionLimit: 50
            backupRetentionDays: {default: 14, minimum: 7, maximum: 35}
          dedicated:
            quota: {requests.cpu: "32", requests.memory: 128Gi, limits.memory: 256Gi, pods: "100", persistentvolumeclaims: "10", requests.storage: 2Ti}
            connectionLimit: 200
            backupRetentionDays: {default: 30, minimum: 7, maximum: 365}

        """

    private static let builtInResult = Result { () throws(OdooPlanError) -> OperatorConfiguration in try decode(yaml: builtInText, source: "the built-in configuration") }

    /// ``builtInText``, decoded (a test keeps it valid).
    public static func builtIn() throws(OdooPlanError) -> OperatorConfiguration { try builtInResult.get() }

    /// The shared server an environment uses, `nil` when it names none that exists.
    public func databaseServer(named name: String?) -> DatabaseServer? {
        guard let name else { return databaseServers.first }
        return databaseServers.first { $0.name == name }
    }
}
