import KubeModel

extension GuardPolicy {
    /// The text of the embedded default policy (also written out as `examples/policies/default.yaml`).
    public static let builtInDefaultText = """
# The embedded default GuardPolicy of odoo-guard, written out.
# `guardctl check` uses exactly this when no --policy is given; a test keeps the two identical.
# Strict for production (allowlisted registries, digest pinning, everything enforced),
# lenient for development (any registry, most findings are warnings).
apiVersion: odooguard.io/v1alpha1
kind: GuardPolicy
metadata:
  name: default
spec:
  defaultMode: enforce
  rules:
    pdb.unhealthy-eviction: warn
    # A warning until your staging environments have recorded what they ran (status.readyHistory,
    # written by the operator): then set it to enforce.
    image.promoted: warn
  stages:
    production:
      allowedRegistries:
        - registry.example.com/*
        - docker.io/library/odoo
        - docker.io/library/postgres
        - docker.io/library/redis
        - docker.io/amazon/aws-cli
        - registry.k8s.io/*
      requireDigest: true
    staging:
      allowedRegistries:
        - registry.example.com/*
        - docker.io/library/odoo
        - docker.io/library/postgres
        - docker.io/library/redis
        - docker.io/amazon/aws-cli
        - registry.k8s.io/*
      requireDigest: false
      modes:
        pdb.required: warn
    development:
      allowedRegistries: ["*"]
      requireDigest: false
      modes:
        image.no-latest: warn
        resources.requests-required: warn
        resources.limits-required: warn
        resources.maximum: warn
        pdb.required: audit
        pdb.drain-safe: warn
        odoo.list-db-disabled: warn
        odoo.dbfilter-set: warn
        odoo.proxy-mode: warn
  tiers:
    shared:
      defaultRequests: {cpu: 250m, memory: 512Mi}
      defaultLimits: {memory: 2Gi}
      maximum: {cpu: "4", memory: 8Gi}
    dedicated:
      defaultRequests: {cpu: 500m, memory: 1Gi}
      defaultLimits: {memory: 4Gi}
      maximum: {cpu: "16", memory: 64Gi}
  resources:
    injectDefaults: true
    requireRequests: [cpu, memory]
    requireLimits: [memory]
  secrets:
    credentialNames: [PASSWORD, PASSWD, PASSPHRASE, SECRET, TOKEN, API_KEY, APIKEY, PRIVATE_KEY, ACCESS_KEY, CREDENTIAL]
    nonCredentialSuffixes: [_FILE, _PATH, _DIR, _NAME, _REF, _URL, _URI, _ENDPOINT, _TTL, _TIMEOUT, _EXPIRY, _EXPIRES, _LENGTH, _SIZE, _COUNT, _ENABLED, _MODE, _TYPE, _HEADER, _ALGORITHM]
    injection:
      db:
        secretName: "{environment}-db"
        env:
          - {name: HOST, key: host}
          - {name: PORT, key: port}
          - {name: USER, key: username}
          - {name: PASSWORD, key: password}
      redis:
        secretName: "{environment}-redis"
        env:
          - {name: REDIS_HOST, key: host}
          - {name: REDIS_PORT, key: port}
          - {name: REDIS_PASSWORD, key: password}
      admin:
        secretName: "{environment}-admin"
        env:
          - {name: ODOO_ADMIN_PASSWD, key: password}
  pdb:
    minReplicas: 2
    kinds: [Deployment, StatefulSet, ReplicaSet]
  exceptions:
    maxDays: 90
    nonExemptibleRules: [secrets.foreign-secret, policy.valid, object.well-formed, approval.valid, odoo.change-approved,
                         namespace.labels-locked, namespace.pod-security-level, odoo.production-never-sleeps]
  # Pod Security Admission's levels: the operator writes them on each governed namespace (enforced,
  # with restricted warned about and audited, pinned to the version), the webhook adds them where a
  # governed namespace lacks them, and the podsecurity.* rules judge pods by them offline and in the
  # webhook (reported as warnings there: the API server enforces).
  podSecurity:
    version: v1.32
    webhookMode: warn
    levels:
      production: restricted
      staging: restricted
      development: baseline
  # Who may change a governed namespace's stage, tier and Pod Security labels. The chart adds the
  # operator's service account.
  platformAdmins:
    groups: [system:masters]
  # Production change control: every change of a production OdooEnvironment's spec needs the
  # odooguard.io/change-ref annotation; a high-risk one (any field not listed as low-risk: image,
  # addons, version, database, ...) also needs a live ChangeApproval for that change reference (and
  # its digests), created by a member of approverGroups other than the deployer.
  changeApproval:
    approverGroups: ["odooguard:change-approvers"]
    requireDistinctApprover: true
    maxDays: 14
    lowRiskFields: [replicas, workers, resources, ingress.adminAllowlist]
  # Promotion evidence (image.promoted): a production environment runs only digests that an
  # environment of one of fromStages, with the same groupLabel value, ran Ready for minSoakHours.
  promotion:
    minSoakHours: 24
    fromStages: [staging]
    groupLabel: app.kubernetes.io/part-of
  # Scan evidence (image.scan-attested), for stages with requireScanAttestation: true. Every image a
  # change introduces needs a cosign vulnerability-scan attestation (`cosign attest --type vuln`)
  # signed with a key trusted here (or under provenance.trustedKeys), of a scan younger than
  # maxAgeDays, without findings at or above severity unless a GuardException lists them under
  # spec.vulnerabilities. Off until you trust a key: add requireScanAttestation to production.
  scanAttestation:
    maxAgeDays: 7
    severity: critical
    ignoreUnfixed: false
  exemptions:
    - namespaces: [kube-system, kube-public, kube-node-lease]
      reason: Kubernetes system namespaces are never governed.
  offlineDefaultStage: production
  defaultTier: shared

"""

    private static let builtInResult: Result<GuardPolicy, GuardRulesError> = Result { () throws(GuardRulesError) in
        try GuardPolicy(text: builtInDefaultText)
    }

    /// The embedded default policy: strict for production, lenient for development.
    /// - Throws: ``GuardRulesError`` only if the embedded text were broken (a test guards it).
    public static func builtIn() throws(GuardRulesError) -> GuardPolicy {
        try builtInResult.get()
    }

    /// The values every section starts from before a policy document overrides them: nothing
    /// allowed beyond `*` registries, no defaults, the standard credential names and injections.
    public static let empty = GuardPolicy(
        name: "empty", version: "empty", ruleModes: [:], defaultMode: .enforce,
        stages: [:], tiers: [:],
        resources: ResourcePolicy(injectDefaults: true, requireRequests: ["cpu", "memory"], requireLimits: ["memory"]),
        secrets: SecretPolicy(
            credentialNames: ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"],
            nonCredentialSuffixes: ["_FILE", "_PATH", "_DIR", "_NAME", "_REF", "_URL", "_URI", "_ENDPOINT", "_TTL", "_TIMEOUT",
                                    "_EXPIRY", "_EXPIRES", "_LENGTH", "_SIZE", "_COUNT", "_ENABLED", "_MODE", "_TYPE", "_HEADER", "_ALGORITHM"],
            injection: [:]),
        pdb: PDBPolicy(minReplicas: 2, kinds: ["Deployment", "StatefulSet", "ReplicaSet"]),
        exceptions: ExceptionPolicy(maxDays: 90, nonExemptibleRules: [.secretsForeignSecret, .policyValid, .objectWellFormed, .odooProductionNeverSleeps]),
        exemptions: [], offlineDefaultStage: .production, defaultTier: .shared)

    /// The settings of a stage; a stage the policy does not mention allows any registry and
    /// requires no digest.
    public func stage(_ stage: Stage) -> StagePolicy { stages[stage] ?? StagePolicy() }

    /// The settings of a tier; an unknown tier has no defaults and no maximum.
    public func tier(_ tier: Tier) -> TierPolicy { tiers[tier] ?? TierPolicy() }
}
