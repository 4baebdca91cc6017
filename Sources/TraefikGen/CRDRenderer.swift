import KubeModel

/// Writes a ``RoutePlan`` as Traefik Kubernetes CRD objects: one Middleware per middleware, a
/// TLSOption, an IngressRoute on the HTTPS entry point and one on the HTTP entry point that
/// redirects. Every object carries the `app.kubernetes.io/*` labels and, for an OdooEnvironment with
/// a `uid`, a controller ownerReference so Kubernetes deletes them with the environment.
struct CRDRenderer {
    let target: TraefikTarget

    func objects(_ spec: RoutingSpec, _ plan: RoutePlan) -> [JSONValue] {
        var objects: [JSONValue] = []
        objects.reserveCapacity(plan.middlewares.count + 3)
        for middleware in plan.middlewares {
            let configuration = middleware.kind.configuration(target: target) { .object(["name": .string($0)]) }
            objects.append(object("Middleware", middleware.name, spec, .object(configuration)))
        }
        objects.append(object("TLSOption", plan.names.tlsOption, spec, [
            "minVersion": "VersionTLS12",
            "cipherSuites": .array(RoutePlan.MiddlewareKind.cipherSuites.map(JSONValue.string)),
        ]))
        let secure = plan.routers.filter { $0.entryPoint == .websecure }
        objects.append(object("IngressRoute", plan.names.secureRoute, spec, [
            "entryPoints": [.string(spec.secureEntryPoint)],
            "routes": .array(secure.map { route($0, spec) }),
            "tls": tls(spec, plan),
        ]))
        let plain = plan.routers.filter { $0.entryPoint == .web }
        objects.append(object("IngressRoute", plan.names.httpRoute, spec, [
            "entryPoints": [.string(spec.webEntryPoint)],
            "routes": .array(plain.map { route($0, spec) }),
        ]))
        return objects
    }

    private func route(_ router: RoutePlan.Router, _ spec: RoutingSpec) -> JSONValue {
        var service: JSONObject = ["name": .string(spec.serviceName), "port": .int(Int64(router.port))]
        if let cookie = router.stickyCookie { service["sticky"] = TraefikGenerator.stickyCookie(cookie) }
        return [
            "kind": "Rule",
            "match": .string(router.match.rule(for: target)),
            "priority": .int(Int64(router.priority)),
            "middlewares": .array(router.middlewares.map { ["name": .string($0)] }),
            "services": [.object(service)],
        ]
    }

    private func tls(_ spec: RoutingSpec, _ plan: RoutePlan) -> JSONValue {
        var tls: JSONObject = ["options": ["name": .string(plan.names.tlsOption)]]
        switch spec.tls {
        case .secret(let name): tls["secretName"] = .string(name)
        case .certResolver(let resolver):
            tls["certResolver"] = .string(resolver)
            tls["domains"] = TraefikGenerator.domains(spec.hosts)
        }
        return .object(tls)
    }

    private func object(_ kind: String, _ name: String, _ spec: RoutingSpec, _ body: JSONValue) -> JSONValue {
        var metadata: JSONObject = [
            "name": .string(name),
            "namespace": .string(spec.namespace),
            "labels": [
                "app.kubernetes.io/name": "odoo",
                "app.kubernetes.io/instance": .string(TraefikGenerator.instanceLabel(spec.name, plan: ObjectNames(environment: spec.name))),
                "app.kubernetes.io/component": "ingress",
                "app.kubernetes.io/managed-by": "odoo-guard",
            ],
        ]
        if let owner = spec.owner {
            metadata["ownerReferences"] = [[
                "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment", "name": .string(spec.name),
                "uid": .string(owner.uid), "controller": true, "blockOwnerDeletion": true,
            ]]
        }
        return ["apiVersion": .string(target.apiVersion), "kind": .string(kind), "metadata": .object(metadata), "spec": body]
    }
}
