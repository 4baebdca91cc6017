import KubeModel
import TraefikGen

extension RoutingSpec {
    /// Decodes what the Traefik generator accepts as input: an `odooguard.io/v1alpha1` OdooEnvironment,
    /// through ``OdooEnvironment/decode(_:defaultNamespace:routingDefaults:)`` (the one decoder of the
    /// environment, so an environment the operator refuses is never routed), or a compact routing spec
    /// (`kind: RoutingSpec`, or no kind) through ``TraefikGen/RoutingSpec/decodeCompact(_:defaults:)``.
    ///
    /// - Throws: ``TraefikGen/TraefikGenError`` `invalidSpec` listing every invalid field with its path,
    ///   or `unsupportedDocument` for a non-object or another kind.
    public static func decode(_ document: JSONValue, defaults: RoutingDefaults = RoutingDefaults()) throws(TraefikGenError) -> RoutingSpec {
        guard document["kind"]?.stringValue == "OdooEnvironment" else { return try decodeCompact(document, defaults: defaults) }
        do {
            return try OdooEnvironment.decode(document, defaultNamespace: defaults.namespace, routingDefaults: defaults).routing
        } catch {
            throw TraefikGenError.invalidSpec(error.message, fieldErrors: error.fieldErrors, cause: error)
        }
    }

    /// Decodes many inputs on all cores; results keep the input order.
    public static func decodeAll(_ documents: [JSONValue], defaults: RoutingDefaults = RoutingDefaults()) -> [Result<RoutingSpec, TraefikGenError>] {
        Parallel.map(count: documents.count) { i in
            Result { () throws(TraefikGenError) -> RoutingSpec in try decode(documents[i], defaults: defaults) }
        }
    }
}
