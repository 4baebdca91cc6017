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
        let labels: JSONValue = [
            GuardLabels.component: "ingress",
            GuardLabels.instance: .string(TraefikGenerator.instanceLabel(spec.name, plan: plan.names)),
            GuardLabels.managedBy: .string(GuardLabels.managerName),
            GuardLabels.name: .string(GuardLabels.odooName),
        ]
        for middleware in plan.middlewares {
            let configuration = middleware.kind.configuration(target: target) { .object(["name": .string($0)]) }
            objects.append(object("Middleware", middleware.name, spec, .object(configuration), labels: labels))
        }
        objects.append(object("TLSOption", plan.names.tlsOption, spec, [
            "cipherSuites": .array(RoutePlan.MiddlewareKind.cipherSuites.map(JSONValue.string)),
            "minVersion": "VersionTLS12",
        ], labels: labels))
        let secure = plan.routers.filter { $0.entryPoint == .websecure }
        objects.append(object("IngressRoute", plan.names.secureRoute, spec, [
            "entryPoints": [.string(spec.secureEntryPoint)],
            "routes": .array(secure.map { route($0, spec) }),
            "tls": tls(spec, plan),
        ], labels: labels))
        let plain = plan.routers.filter { $0.entryPoint == .web }
        objects.append(object("IngressRoute", plan.names.httpRoute, spec, [
            "entryPoints": [.string(spec.webEntryPoint)],
            "routes": .array(plain.map { route($0, spec) }),
        ], labels: labels))
        return objects
    }

    private func route(_ router: RoutePlan.Router, _ spec: RoutingSpec) -> JSONValue {
        var service: JSONObject = ["name": .string(spec.serviceName), "port": .int(Int64(router.port))]
        if let cookie = router.stickyCookie { service["sticky"] = TraefikGenerator.stickyCookie(cookie) }
        return [
            "kind": "Rule",
            "match": .string(router.match.rule(for: target)),
            "middlewares": .array(router.middlewares.map { ["name": .string($0)] }),
            "priority": .int(Int64(router.priority)),
            "services": [.object(service)],
        ]
    }

    private func tls(_ spec: RoutingSpec, _ plan: RoutePlan) -> JSONValue {
        // Keys in byte order, so the emitter need not sort them.
        switch spec.tls {
        case .secret(let name):
            return ["options": ["name": .string(plan.names.tlsOption)], "secretName": .string(name)]
        case .certResolver(let resolver):
            return ["certResolver": .string(resolver), "domains": TraefikGenerator.domains(spec.hosts),
                    "options": ["name": .string(plan.names.tlsOption)]]
        }
    }

    private func object(_ kind: String, _ name: String, _ spec: RoutingSpec, _ body: JSONValue, labels: JSONValue) -> JSONValue {
        var metadata: JSONObject = [
            "labels": labels,
            "name": .string(name),
            "namespace": .string(spec.namespace),
        ]
        if let owner = spec.owner {
            metadata["ownerReferences"] = [[
                "apiVersion": "odooguard.io/v1alpha1", "blockOwnerDeletion": true, "controller": true, "kind": "OdooEnvironment",
                "name": .string(spec.name), "uid": .string(owner.uid),
            ]]
        }
        return ["apiVersion": .string(target.apiVersion), "kind": .string(kind), "metadata": .object(metadata), "spec": body]
    }
}
