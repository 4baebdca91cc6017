import KubeModel
import TraefikGen

extension OperatorConfiguration {
    /// `cloudNativePG`: the cluster runs the CloudNativePG operator and its Barman Cloud plugin, so a
    /// dedicated environment's PostgreSQL is a replicated `Cluster` with continuous WAL archiving, a
    /// `ScheduledBackup` and a PgBouncer `Pooler` in front.
    public struct CloudNativePG: Sendable, Equatable {
        /// The PostgreSQL operand image (`imageName`, a CloudNativePG image such as
        /// `ghcr.io/cloudnative-pg/postgresql:15`; pin it by digest, as ``pgbouncerImage``).
        public var imageName: String
        /// The namespace the CloudNativePG operator runs in (`operatorNamespace`, default
        /// `cnpg-system`): its pods reach the instances' status port.
        public var operatorNamespace: String
        /// The Barman Cloud plugin's name (`pluginName`, default `barman-cloud.cloudnative-pg.io`).
        public var pluginName: String
        /// The StorageClass of the instances' volumes (`storageClass`; `nil`: the cluster's default).
        public var storageClass: String?
        /// The PgBouncer image of the Poolers (`pgbouncerImage`; `nil`: CloudNativePG's default). Pin it
        /// by digest: the webhook judges CloudNativePG's pods like any other in a governed namespace.
        public var pgbouncerImage: String?

        /// The plugin the Barman Cloud project registers.
        public static let barmanCloudPlugin = "barman-cloud.cloudnative-pg.io"

        /// A configuration.
        public init(imageName: String, operatorNamespace: String = "cnpg-system", pluginName: String = CloudNativePG.barmanCloudPlugin,
                    storageClass: String? = nil) {
            self.imageName = imageName
            self.operatorNamespace = operatorNamespace
            self.pluginName = pluginName
            self.storageClass = storageClass
        }
    }

    /// `tiers.<tier>.backupRetentionDays`: how long the tier's backups are kept when an environment
    /// says nothing, and the least and most it may ask for.
    public struct RetentionBounds: Sendable, Equatable {
        /// Days kept when `spec.backup.retentionDays` is absent (`default`).
        public var defaultDays: Int
        /// The fewest days an environment may keep (`minimum`: a regulator's floor).
        public var minimumDays: Int
        /// The most days an environment may keep (`maximum`: the storage the tier pays for).
        public var maximumDays: Int

        /// Bounds.
        public init(defaultDays: Int, minimumDays: Int, maximumDays: Int) {
            self.defaultDays = defaultDays
            self.minimumDays = minimumDays
            self.maximumDays = maximumDays
        }
    }
}

extension FieldReader {
    /// `cloudNativePG`: `imageName` required; the operator namespace, plugin name and StorageClass optional.
    mutating func cloudNativePG(_ value: JSONValue?) -> OperatorConfiguration.CloudNativePG? {
        guard let object = self.object(value, "cloudNativePG") else { return nil }
        unknownKeys(object, allowed: ["imageName", "operatorNamespace", "pluginName", "storageClass", "pgbouncerImage"], "cloudNativePG")
        let image = imageName(object["imageName"], "cloudNativePG.imageName")
        if object["imageName"] == nil { errors.append(.required("cloudNativePG.imageName")) }
        let namespace = object["operatorNamespace"] == nil ? "cnpg-system" : dnsSubdomain(object["operatorNamespace"], "cloudNativePG.operatorNamespace", required: true)
        let plugin = string(object["pluginName"], "cloudNativePG.pluginName") ?? OperatorConfiguration.CloudNativePG.barmanCloudPlugin
        let storageClass = object["storageClass"] == nil ? nil : dnsSubdomain(object["storageClass"], "cloudNativePG.storageClass", required: true)
        let pgbouncer = imageName(object["pgbouncerImage"], "cloudNativePG.pgbouncerImage")
        guard let image, let namespace else { return nil }
        var result = OperatorConfiguration.CloudNativePG(imageName: image, operatorNamespace: namespace, pluginName: plugin, storageClass: storageClass)
        result.pgbouncerImage = pgbouncer
        return result
    }

    /// `backupRetentionDays: {default, minimum, maximum}`, each 1…3650, minimum ≤ default ≤ maximum.
    mutating func retentionBounds(_ value: JSONValue?, _ path: FieldPath) -> OperatorConfiguration.RetentionBounds? {
        guard let object = self.object(value, path) else { return nil }
        unknownKeys(object, allowed: ["default", "minimum", "maximum"], path)
        let days = ["default", "minimum", "maximum"].map { bounded(object[$0], path / $0, 1...3650, what: "days").map { Int($0) } }
        guard let defaultDays = days[0], let minimum = days[1], let maximum = days[2] else {
            for (key, day) in zip(["default", "minimum", "maximum"], days) where day == nil && object[key] == nil { errors.append(.required(path / key)) }
            return nil
        }
        guard minimum <= defaultDays, defaultDays <= maximum else {
            errors.append(.invalid(path, "needs minimum ≤ default ≤ maximum, found \(minimum) ≤ \(defaultDays) ≤ \(maximum)"))
            return nil
        }
        return OperatorConfiguration.RetentionBounds(defaultDays: defaultDays, minimumDays: minimum, maximumDays: maximum)
    }
}
