import KubeModel

/// Writes ``RoutePlan``s as Traefik's file-provider dynamic configuration, for hosts without
/// Kubernetes. Names follow the Kubernetes CRD provider's scheme (`<namespace>-<name>`), so a
/// middleware is called the same in both outputs; routers get the plan's stable names; the two Odoo
/// ports become two load-balancer services pointing at the upstream host.
struct FileProviderRenderer {
    let target: TraefikTarget
    let certificateDirectory: String

    /// Adds one environment to `configuration` (`http.routers`, `http.middlewares`, `http.services`,
    /// `tls.options`, `tls.certificates`), reporting names another environment already took.
    func add(_ spec: RoutingSpec, _ plan: RoutePlan, to configuration: inout FileConfiguration) throws(TraefikGenError) {
        let prefix = spec.namespace + "-"
        let qualified = { (name: String) in prefix + name }
        let subject = "\(spec.namespace)/\(spec.name)"
        for middleware in plan.middlewares {
            let body = middleware.kind.configuration(target: target) { .string(qualified($0)) }
            try configuration.insert(.object(body), named: qualified(middleware.name), in: \.middlewares, by: subject)
        }
        let tlsOption = qualified(plan.names.tlsOption)
        try configuration.insert([
            "minVersion": "VersionTLS12",
            "cipherSuites": .array(RoutePlan.MiddlewareKind.cipherSuites.map(JSONValue.string)),
        ], named: tlsOption, in: \.tlsOptions, by: subject)

        // One load-balancer service per Odoo port; every router of a port has the same sticky cookie.
        var services: [Int: String] = [:]
        for router in plan.routers where services[router.port] == nil {
            let serviceName = qualified(plan.names.base + (router.port == RoutePlan.httpPort ? "-web" : "-realtime"))
            var loadBalancer: JSONObject = ["servers": [["url": .string("http://\(spec.upstreamHost):\(router.port)")]]]
            if let cookie = router.stickyCookie { loadBalancer["sticky"] = TraefikGenerator.stickyCookie(cookie) }
            try configuration.insert(["loadBalancer": .object(loadBalancer)], named: serviceName, in: \.services, by: subject)
            services[router.port] = serviceName
        }
        for router in plan.routers {
            var entry: JSONObject = [
                "entryPoints": [.string(router.entryPoint == .websecure ? spec.secureEntryPoint : spec.webEntryPoint)],
                "rule": .string(router.match.rule(for: target)),
                "priority": .int(Int64(router.priority)),
                "middlewares": .array(router.middlewares.map { .string(qualified($0)) }),
                "service": .string(services[router.port] ?? ""),
            ]
            if router.tls {
                var tls: JSONObject = ["options": .string(tlsOption)]
                if case .certResolver(let resolver) = spec.tls {
                    tls["certResolver"] = .string(resolver)
                    tls["domains"] = TraefikGenerator.domains(spec.hosts)
                }
                entry["tls"] = .object(tls)
            }
            try configuration.insert(.object(entry), named: qualified(router.name), in: \.routers, by: subject)
        }
        if case .secret(let secret) = spec.tls {
            let directory = certificateDirectory + "/" + spec.namespace + "/" + secret
            configuration.addCertificate(["certFile": .string(directory + "/tls.crt"), "keyFile": .string(directory + "/tls.key")])
        }
    }
}
