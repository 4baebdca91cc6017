import KubeModel

/// Writes ``RoutePlan``s as Traefik's file-provider dynamic configuration, for hosts without
/// Kubernetes. Names follow the Kubernetes CRD provider's scheme (`<namespace>-<name>`), so a
/// middleware is called the same in both outputs; routers get the plan's stable names; the two Odoo
/// ports become two load-balancer services pointing at the upstream host.
struct FileProviderRenderer {
    let target: TraefikTarget
    let certificateDirectory: String

    /// One environment's configuration (`http.routers`, `http.middlewares`, `http.services`,
    /// `tls.options`, `tls.certificates`); ``FileConfiguration/merge(_:)`` combines environments.
    func configuration(_ spec: RoutingSpec, _ plan: RoutePlan) throws(TraefikGenError) -> FileConfiguration {
        var configuration = FileConfiguration(subject: "\(spec.namespace)/\(spec.name)")
        let prefix = spec.namespace + "-"
        let qualified = { (name: String) in prefix + name }
        let subject = configuration.subject
        for middleware in plan.middlewares {
            let body = middleware.kind.configuration(target: target) { .string(qualified($0)) }
            try configuration.insert(.object(body), named: qualified(middleware.name), in: .middlewares, by: subject)
        }
        let tlsOption = qualified(plan.names.tlsOption)
        try configuration.insert([
            "cipherSuites": .array(RoutePlan.MiddlewareKind.cipherSuites.map(JSONValue.string)),
            "minVersion": "VersionTLS12",
        ], named: tlsOption, in: .tlsOptions, by: subject)

        // One load-balancer service per Odoo port; every router of a port has the same sticky cookie.
        var services: [Int: String] = [:]
        for router in plan.routers where services[router.port] == nil {
            let serviceName = qualified(plan.names.base + (router.port == RoutePlan.httpPort ? "-web" : "-realtime"))
            var loadBalancer: JSONObject = ["servers": [["url": .string("http://\(spec.upstreamHost):\(router.port)")]]]
            if let cookie = router.stickyCookie { loadBalancer["sticky"] = TraefikGenerator.stickyCookie(cookie) }
            try configuration.insert(["loadBalancer": .object(loadBalancer)], named: serviceName, in: .services, by: subject)
            services[router.port] = serviceName
        }
        for router in plan.routers {
            var entry: JSONObject = [
                "entryPoints": [.string(router.entryPoint == .websecure ? spec.secureEntryPoint : spec.webEntryPoint)],
                "middlewares": .array(router.middlewares.map { .string(qualified($0)) }),
                "priority": .int(Int64(router.priority)),
                "rule": .string(router.match.rule(for: target)),
                "service": .string(services[router.port] ?? ""),
            ]
            if router.tls {
                var tls: JSONObject = [:]
                if case .certResolver(let resolver) = spec.tls {
                    tls["certResolver"] = .string(resolver)
                    tls["domains"] = TraefikGenerator.domains(spec.hosts)
                }
                tls["options"] = .string(tlsOption)
                entry["tls"] = .object(tls)
            }
            try configuration.insert(.object(entry), named: qualified(router.name), in: .routers, by: subject)
        }
        if case .secret(let secret) = spec.tls {
            let directory = certificateDirectory + "/" + spec.namespace + "/" + secret
            configuration.addCertificate(certFile: directory + "/tls.crt", keyFile: directory + "/tls.key")
        }
        return configuration
    }
}
