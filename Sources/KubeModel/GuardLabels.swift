/// The labels odoo-guard reads from and writes to objects.
public enum GuardLabels {
    /// Namespace label naming the stage (`development`, `staging`, `production`).
    public static let stage = "odooguard.io/stage"
    /// Namespace label naming the tier (`shared`, `dedicated`).
    public static let tier = "odooguard.io/tier"
    /// Object label naming the OdooEnvironment an object belongs to.
    public static let environment = "odooguard.io/environment"
    /// Label or annotation asking for secret injection (`db,redis,admin`).
    public static let inject = "odooguard.io/inject"
    /// Annotation carrying the change reference of a production change.
    public static let changeReference = "odooguard.io/change-ref"
    /// The well-known instance label, read as the environment when ``environment`` is absent.
    public static let instance = "app.kubernetes.io/instance"
}
