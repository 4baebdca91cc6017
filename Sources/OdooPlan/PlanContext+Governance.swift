import GuardRules
import KubeModel

/// The namespace's governance labels, quota, limits and network policies.
extension PlanContext {
    /// The namespace's governance labels: stage and tier, which put it under the webhook's rules, and
    /// the Pod Security Admission labels of the stage. Applied on their own: the operator owns these
    /// labels and nothing else of the namespace.
    func namespaceLabels() -> JSONValue {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": [
            "labels": PlanContext.map(PlanContext.governanceLabels(environment, podSecurity: podSecurity)),
            "name": .string(environment.namespace),
        ]]
    }

    /// The labels the operator gives an environment's namespace.
    static func governanceLabels(_ environment: OdooEnvironment, podSecurity: PodSecuritySettings) -> [String: String] {
        podSecurity.namespaceLabels(stage: environment.stage)
            .merging([GuardLabels.stage: environment.stage.rawValue, GuardLabels.tier: environment.tier.rawValue]) { $1 }
    }

    func resourceQuota() -> JSONValue {
        object(.resourceQuotas, names.quota, component: .governance, ["spec": ["hard": PlanContext.quantities(tier.quota)]])
    }

    func limitRange() -> JSONValue {
        var limit: JSONObject = [:]
        if !tier.defaultLimits.isEmpty { limit["default"] = PlanContext.quantities(tier.defaultLimits) }
        if !tier.defaultRequests.isEmpty { limit["defaultRequest"] = PlanContext.quantities(tier.defaultRequests) }
        if !tier.maximum.isEmpty { limit["max"] = PlanContext.quantities(tier.maximum) }
        limit["type"] = "Container"
        return object(.limitRanges, names.limits, component: .governance, ["spec": ["limits": [.object(limit)]]])
    }

    /// A default deny for the environment's pods, and what they need: ingress from Traefik only;
    /// egress to DNS, the database, Redis (when used) and SMTP only.
    func networkPolicies() throws(OdooPlanError) -> [JSONValue] {
        let pods: JSONValue = ["matchLabels": PlanContext.map([GuardLabels.instance: environment.name, GuardLabels.name: GuardLabels.odooName])]
        let deny = object(.networkPolicies, names.objects.base + "-default-deny", component: .governance, ["spec": [
            "podSelector": pods, "policyTypes": ["Ingress", "Egress"],
        ]])
        var egress: [JSONValue] = [[
            "ports": [["port": 53, "protocol": "UDP"], ["port": 53, "protocol": "TCP"]],
            "to": [[
                "namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(configuration.dnsNamespace)]],
                "podSelector": ["matchLabels": ["k8s-app": "kube-dns"]],
            ]],
        ]]
        egress.append(rule(port: 5432, to: databasePeers()))
        if environment.redis.enabled { egress.append(rule(port: 6379, to: redisPeers())) }
        if !configuration.smtpCIDRs.isEmpty && !configuration.smtpPorts.isEmpty {
            egress.append(["ports": .array(configuration.smtpPorts.map { ["port": .int(Int64($0)), "protocol": "TCP"] }),
                           "to": .array(configuration.smtpCIDRs.map { ["ipBlock": ["cidr": .string($0)]] })])
        }
        let allow = object(.networkPolicies, names.objects.base + "-allow", component: .governance, ["spec": [
            "egress": .array(egress),
            "ingress": [[
                "from": [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(configuration.traefikNamespace)]]]],
                "ports": [["port": 8069, "protocol": "TCP"], ["port": 8072, "protocol": "TCP"]],
            ], [
                // The synthetic check of every change's verification: the operator's pods fetch /web/login, nothing else.
                "from": [["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(configuration.operatorNamespace)]],
                          "podSelector": ["matchLabels": [GuardLabels.component: "operator"]]]],
                "ports": [["port": 8069, "protocol": "TCP"]],
            ]],
            "podSelector": pods,
            "policyTypes": ["Ingress", "Egress"],
        ]])
        var result = [deny, allow]
        // The environment's own servers take connections from its pods only.
        if let cloudNativePG {
            result += cloudNativePGNetworkPolicies(cloudNativePG, odooPods: pods)
        } else if environment.tier == .dedicated && environment.database.externalSecret == nil {
            result.append(ingressFromEnvironment(names.postgres, component: .database, port: 5432, from: pods))
        }
        if environment.redis.enabled && (environment.redis.mode == .dedicated || configuration.redis == nil) {
            result.append(ingressFromEnvironment(names.redis, component: .redis, port: 6379, from: pods))
        }
        // Backup and rehearsal pods reach the object storage, nothing else beyond the database.
        if environment.backup != nil && !configuration.backup.ports.isEmpty {
            var to: JSONObject = ["ports": .array(configuration.backup.ports.map { ["port": .int(Int64($0)), "protocol": "TCP"] })]
            if !configuration.backup.cidrs.isEmpty { to["to"] = .array(configuration.backup.cidrs.map { ["ipBlock": ["cidr": .string($0)]] }) }
            result.append(object(.networkPolicies, names.objects.base + "-backup", component: .governance, ["spec": [
                "egress": [.object(to)],
                "podSelector": [
                    "matchExpressions": [["key": .string(GuardLabels.component), "operator": "In", "values": [.string(Component.backup.rawValue), .string(Component.restoreCheck.rawValue), .string(Component.restore.rawValue)]]],
                    "matchLabels": PlanContext.map([GuardLabels.instance: environment.name, GuardLabels.name: GuardLabels.odooName]),
                ],
                "policyTypes": ["Egress"],
            ]]))
        }
        return result
    }

    private func ingressFromEnvironment(_ name: String, component: Component, port: Int64, from pods: JSONValue) -> JSONValue {
        object(.networkPolicies, name, component: .governance, ["spec": [
            "ingress": [["from": [["podSelector": pods]], "ports": [["port": .int(port), "protocol": "TCP"]]]],
            "podSelector": ["matchLabels": PlanContext.map(environment.selector(component: component))],
            "policyTypes": ["Ingress"],
        ]])
    }

    private func rule(port: Int64, to peers: [JSONValue]) -> JSONValue {
        var rule: JSONObject = ["ports": [["port": .int(port), "protocol": "TCP"]]]
        if !peers.isEmpty { rule["to"] = .array(peers) }
        return .object(rule)
    }

    /// Where the database is: the dedicated server's pods, the shared server's namespace or
    /// networks, or (an external Secret, whose server the plan cannot know) any address on 5432.
    private func databasePeers() -> [JSONValue] {
        if environment.database.externalSecret != nil { return [] }
        switch environment.tier {
        case .dedicated:
            if cloudNativePG != nil { return [["podSelector": ["matchLabels": PlanContext.map([CloudNativePGLabels.poolerName: names.pooler])]]] }
            return [["podSelector": ["matchLabels": PlanContext.map(environment.selector(component: .database))]]]
        case .shared:
            guard let server = configuration.databaseServer(named: environment.database.sharedServer) else { return [] }
            return peers(namespace: server.namespace, cidrs: server.cidrs)
        }
    }

    private func redisPeers() -> [JSONValue] {
        guard environment.redis.mode == .shared, let redis = configuration.redis else {
            return [["podSelector": ["matchLabels": PlanContext.map(environment.selector(component: .redis))]]]
        }
        return peers(namespace: redis.namespace, cidrs: redis.cidrs)
    }

    private func peers(namespace: String?, cidrs: [String]) -> [JSONValue] {
        var result: [JSONValue] = cidrs.map { ["ipBlock": ["cidr": .string($0)]] }
        if let namespace { result.append(["namespaceSelector": ["matchLabels": ["kubernetes.io/metadata.name": .string(namespace)]]]) }
        return result
    }
}
