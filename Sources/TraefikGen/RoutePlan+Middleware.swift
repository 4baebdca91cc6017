import KubeModel

extension RoutePlan.MiddlewareKind {
    /// The modern TLS 1.2 cipher suites (ECDHE with AEAD); TLS 1.3 suites are not configurable.
    static let cipherSuites: [String] = [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    ]

    /// The middleware's configuration as Traefik reads it — `{<type>: {...}}` — for both the CRD
    /// `spec` and the file provider. Only fields that exist in `target`'s schema are used (no
    /// deprecated `ssl*` header fields in either generation). `reference` turns a chained
    /// middleware's name into the form the output format expects.
    func configuration(target: TraefikTarget, reference: (String) -> JSONValue) -> JSONObject {
        switch self {
        case .redirectToHTTPS:
            return ["redirectScheme": ["permanent": true, "scheme": "https"]]
        case .headers(let hsts):
            var headers: JSONObject = [
                "contentTypeNosniff": true,
                // SAMEORIGIN, not DENY: Odoo's website editor and report previews frame its own pages.
                "customFrameOptionsValue": "SAMEORIGIN",
                "referrerPolicy": "strict-origin-when-cross-origin",
                "stsIncludeSubdomains": true,
            ]
            if hsts.preload { headers["stsPreload"] = true }
            headers["stsSeconds"] = .int(hsts.maxAgeSeconds)
            return ["headers": .object(headers)]
        case .allowlist(let sourceRange, let depth):
            var allowlist: JSONObject = [:]
            if depth > 0 { allowlist["ipStrategy"] = ["depth": .int(Int64(depth))] }
            allowlist["sourceRange"] = .array(sourceRange.map(JSONValue.string))
            return [target.allowlistKey: .object(allowlist)]
        case .rateLimit(let limit, let depth):
            var rateLimit: JSONObject = [
                "average": .int(limit.average),
                "burst": .int(limit.burst),
                "period": .string(RoutePlan.MiddlewareKind.durationText(limit.periodSeconds)),
            ]
            if depth > 0 { rateLimit["sourceCriterion"] = ["ipStrategy": ["depth": .int(Int64(depth))]] }
            return ["rateLimit": .object(rateLimit)]
        case .inFlight(let amount, let depth):
            var inFlight: JSONObject = ["amount": .int(amount)]
            if depth > 0 { inFlight["sourceCriterion"] = ["ipStrategy": ["depth": .int(Int64(depth))]] }
            return ["inFlightReq": .object(inFlight)]
        case .buffering(let maxBytes):
            return ["buffering": [
                "maxRequestBodyBytes": .int(maxBytes),
                // Bodies up to 2 MiB stay in memory; larger uploads spill to disk.
                "memRequestBodyBytes": .int(min(maxBytes, 2 * 1024 * 1024)),
            ]]
        case .compress:
            return ["compress": ["minResponseBodyBytes": 1024]]
        case .chain(let names):
            return ["chain": ["middlewares": .array(names.map(reference))]]
        }
    }

    /// Go duration text for whole seconds: `1h`, `1m`, `90s`.
    static func durationText(_ seconds: Int64) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
