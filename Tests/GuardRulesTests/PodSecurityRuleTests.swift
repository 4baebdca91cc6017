import Foundation
import GuardRules
import KubeModel
import Testing

/// The Pod Security Standards, control by control, at both levels, in every pod-template kind and
/// (for container controls) every container list. The cases follow the upstream standard's table of
/// restricted fields and allowed values (kubernetes.io "Pod Security Standards", v1.32) and the
/// pass/fail fixtures of `k8s.io/pod-security-admission`'s checks.
@Suite("Pod Security rules")
struct PodSecurityRuleTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        /// Pod spec fields set (`null` removes).
        var spec: JSONObject = [:]
        /// Pod securityContext fields set (`null` removes).
        var pod: JSONObject = [:]
        /// The tested container's securityContext fields set (`null` removes).
        var container: JSONObject = [:]
        /// The tested container's own fields set.
        var containerFields: JSONObject = [:]
        /// Pod annotations.
        var annotations: [String: String] = [:]
        /// Rules expected at baseline and at restricted (sorted, repeats kept).
        let baseline: [String]
        let restricted: [String]
        /// The field the first finding names, relative to the pod spec (`…` for the tested container).
        var field: String? = nil
        /// The container lists to try, when not every list (a case about the only container).
        var only: [PodTemplate.ContainerKind]? = nil
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "compliant", baseline: [], restricted: []),
        Case(name: "hostNetwork", spec: ["hostNetwork": true], baseline: ["podsecurity.host-namespaces"], restricted: ["podsecurity.host-namespaces"], field: "hostNetwork"),
        Case(name: "hostPID", spec: ["hostPID": true], baseline: ["podsecurity.host-namespaces"], restricted: ["podsecurity.host-namespaces"], field: "hostPID"),
        Case(name: "hostIPC", spec: ["hostIPC": true], baseline: ["podsecurity.host-namespaces"], restricted: ["podsecurity.host-namespaces"], field: "hostIPC"),
        Case(name: "host namespaces false", spec: ["hostNetwork": false, "hostPID": false, "hostIPC": false], baseline: [], restricted: []),
        Case(name: "pod hostProcess", pod: ["windowsOptions": ["hostProcess": true]], baseline: ["podsecurity.host-process"], restricted: ["podsecurity.host-process"],
             field: "securityContext.windowsOptions.hostProcess"),
        Case(name: "container hostProcess", container: ["windowsOptions": ["hostProcess": true]], baseline: ["podsecurity.host-process"], restricted: ["podsecurity.host-process"],
             field: "….securityContext.windowsOptions.hostProcess"),
        Case(name: "privileged", container: ["privileged": true], baseline: ["podsecurity.privileged"], restricted: ["podsecurity.privileged"], field: "….securityContext.privileged"),
        Case(name: "privileged false", container: ["privileged": false], baseline: [], restricted: []),
        Case(name: "add SYS_ADMIN", container: ["capabilities": ["drop": ["ALL"], "add": ["SYS_ADMIN"]]], baseline: ["podsecurity.capabilities"],
             restricted: ["podsecurity.capabilities"], field: "….securityContext.capabilities.add[0]"),
        Case(name: "add NET_RAW (not in the baseline set)", container: ["capabilities": ["drop": ["ALL"], "add": ["NET_RAW"]]], baseline: ["podsecurity.capabilities"],
             restricted: ["podsecurity.capabilities"]),
        Case(name: "add CHOWN (baseline default set)", container: ["capabilities": ["drop": ["ALL"], "add": ["CHOWN"]]], baseline: [], restricted: ["podsecurity.capabilities"]),
        Case(name: "add NET_BIND_SERVICE", container: ["capabilities": ["drop": ["ALL"], "add": ["NET_BIND_SERVICE"]]], baseline: [], restricted: []),
        Case(name: "drop not ALL", container: ["capabilities": ["drop": ["NET_RAW"]]], baseline: [], restricted: ["podsecurity.capabilities"],
             field: "….securityContext.capabilities.drop"),
        Case(name: "no capabilities", container: ["capabilities": nil], baseline: [], restricted: ["podsecurity.capabilities"]),
        Case(name: "hostPath volume", spec: ["volumes": [["name": "root", "hostPath": ["path": "/"]]]], baseline: ["podsecurity.host-path-volumes"],
             restricted: ["podsecurity.volume-types"], field: "volumes[0].hostPath"),
        Case(name: "nfs volume", spec: ["volumes": [["name": "share", "nfs": ["server": "nfs", "path": "/x"]]]], baseline: [], restricted: ["podsecurity.volume-types"],
             field: "volumes[0].nfs"),
        Case(name: "gitRepo volume", spec: ["volumes": [["name": "src", "gitRepo": ["repository": "https://x"]]]], baseline: [], restricted: ["podsecurity.volume-types"]),
        Case(name: "allowed volume types", spec: ["volumes": [
            ["name": "a", "configMap": ["name": "c"]], ["name": "b", "secret": ["secretName": "s"]], ["name": "c", "emptyDir": [:]],
            ["name": "d", "persistentVolumeClaim": ["claimName": "p"]], ["name": "e", "projected": ["sources": []]], ["name": "f", "downwardAPI": [:]],
            ["name": "g", "csi": ["driver": "x"]], ["name": "h", "ephemeral": ["volumeClaimTemplate": [:]]], ["name": "defaulted-to-emptyDir"],
        ]], baseline: [], restricted: []),
        Case(name: "hostPort", containerFields: ["ports": [["containerPort": 8069, "hostPort": 8069]]], baseline: ["podsecurity.host-ports"],
             restricted: ["podsecurity.host-ports"], field: "….ports[0].hostPort"),
        Case(name: "hostPort 0", containerFields: ["ports": [["containerPort": 8069, "hostPort": 0]]], baseline: [], restricted: []),
        Case(name: "AppArmor annotation unconfined", annotations: ["container.apparmor.security.beta.kubernetes.io/app": "unconfined"],
             baseline: ["podsecurity.apparmor"], restricted: ["podsecurity.apparmor"]),
        Case(name: "AppArmor annotations allowed", annotations: ["container.apparmor.security.beta.kubernetes.io/app": "runtime/default",
                                                                 "container.apparmor.security.beta.kubernetes.io/main": "localhost/odoo"],
             baseline: [], restricted: []),
        Case(name: "AppArmor pod field Unconfined", pod: ["appArmorProfile": ["type": "Unconfined"]], baseline: ["podsecurity.apparmor"],
             restricted: ["podsecurity.apparmor"], field: "securityContext.appArmorProfile.type"),
        Case(name: "AppArmor container field Localhost", container: ["appArmorProfile": ["type": "Localhost", "localhostProfile": "odoo"]], baseline: [], restricted: []),
        Case(name: "SELinux type spc_t", container: ["seLinuxOptions": ["type": "spc_t"]], baseline: ["podsecurity.selinux"], restricted: ["podsecurity.selinux"],
             field: "….securityContext.seLinuxOptions.type"),
        Case(name: "SELinux pod user", pod: ["seLinuxOptions": ["user": "system_u"]], baseline: ["podsecurity.selinux"], restricted: ["podsecurity.selinux"]),
        Case(name: "SELinux role", container: ["seLinuxOptions": ["role": "sysadm_r"]], baseline: ["podsecurity.selinux"], restricted: ["podsecurity.selinux"]),
        Case(name: "SELinux allowed types and level", container: ["seLinuxOptions": ["type": "container_engine_t", "level": "s0:c1,c2"]], baseline: [], restricted: []),
        Case(name: "procMount Unmasked", container: ["procMount": "Unmasked"], baseline: ["podsecurity.proc-mount"], restricted: ["podsecurity.proc-mount"]),
        Case(name: "procMount Default", container: ["procMount": "Default"], baseline: [], restricted: []),
        Case(name: "seccomp pod Unconfined", pod: ["seccompProfile": ["type": "Unconfined"]], baseline: ["podsecurity.seccomp"],
             restricted: ["podsecurity.seccomp", "podsecurity.seccomp"], field: "securityContext.seccompProfile.type"),
        Case(name: "seccomp container Unconfined", container: ["seccompProfile": ["type": "Unconfined"]], baseline: ["podsecurity.seccomp"],
             restricted: ["podsecurity.seccomp"], field: "….securityContext.seccompProfile.type"),
        Case(name: "seccomp unset", pod: ["seccompProfile": nil], baseline: [], restricted: ["podsecurity.seccomp"]),
        Case(name: "seccomp only on the container", pod: ["seccompProfile": nil], container: ["seccompProfile": ["type": "Localhost", "localhostProfile": "x.json"]],
             baseline: [], restricted: [], only: [.container]),
        Case(name: "unsafe sysctl", pod: ["sysctls": [["name": "kernel.msgmax", "value": "1"]]], baseline: ["podsecurity.sysctls"],
             restricted: ["podsecurity.sysctls"], field: "securityContext.sysctls[0].name"),
        Case(name: "safe sysctls", pod: ["sysctls": [["name": "net.ipv4.tcp_keepalive_time", "value": "60"], ["name": "net.ipv4.ip_unprivileged_port_start", "value": "0"]]],
             baseline: [], restricted: []),
        Case(name: "allowPrivilegeEscalation unset", container: ["allowPrivilegeEscalation": nil], baseline: [], restricted: ["podsecurity.allow-privilege-escalation"],
             field: "….securityContext.allowPrivilegeEscalation"),
        Case(name: "allowPrivilegeEscalation true", container: ["allowPrivilegeEscalation": true], baseline: [], restricted: ["podsecurity.allow-privilege-escalation"]),
        Case(name: "runAsNonRoot unset", pod: ["runAsNonRoot": nil], baseline: [], restricted: ["podsecurity.run-as-non-root"], field: "securityContext.runAsNonRoot"),
        Case(name: "runAsNonRoot false on the pod", pod: ["runAsNonRoot": false], baseline: [], restricted: ["podsecurity.run-as-non-root"]),
        Case(name: "runAsNonRoot false on the container", container: ["runAsNonRoot": false], baseline: [], restricted: ["podsecurity.run-as-non-root"],
             field: "….securityContext.runAsNonRoot"),
        Case(name: "runAsUser 0 on the pod", pod: ["runAsUser": 0], baseline: [], restricted: ["podsecurity.run-as-user"], field: "securityContext.runAsUser"),
        Case(name: "runAsUser 0 on the container", container: ["runAsUser": 0], baseline: [], restricted: ["podsecurity.run-as-user"]),
        Case(name: "runAsUser 101", pod: ["runAsUser": 101], container: ["runAsUser": 1000], baseline: [], restricted: []),
        Case(name: "Windows pod: no seccomp, escalation or capability controls", spec: ["os": ["name": "windows"]], pod: ["seccompProfile": nil],
             container: ["allowPrivilegeEscalation": nil, "capabilities": nil], baseline: [], restricted: []),
        Case(name: "the reported escape: privileged, host namespaces, root, SYS_ADMIN",
             spec: ["hostNetwork": true, "hostPID": true], pod: ["runAsUser": 0],
             container: ["privileged": true, "capabilities": ["add": ["SYS_ADMIN"]]],
             baseline: ["podsecurity.capabilities", "podsecurity.host-namespaces", "podsecurity.host-namespaces", "podsecurity.privileged"],
             restricted: ["podsecurity.capabilities", "podsecurity.capabilities", "podsecurity.host-namespaces", "podsecurity.host-namespaces",
                          "podsecurity.privileged", "podsecurity.run-as-user"]),
    ]

    /// The container lists a case is tried in: container controls in all three, pod controls once.
    static func lists(_ case_: Case) -> [PodTemplate.ContainerKind] {
        case_.only ?? (case_.container.isEmpty && case_.containerFields.isEmpty ? [.container] : PodTemplate.ContainerKind.allCases)
    }

    static func merged(_ base: JSONValue?, _ changes: JSONObject) -> JSONValue {
        var object = base?.objectValue ?? [:]
        for (key, value) in changes {
            if value.isNull { object.removeValue(forKey: key) } else { object[key] = value }
        }
        return .object(object)
    }

    static func object(_ case_: Case, kind: String, list: PodTemplate.ContainerKind) -> JSONValue {
        var container = Fixture.container(resources: list == .ephemeralContainer ? nil : Fixture.goodResources).objectValue ?? [:]
        container["securityContext"] = merged(container["securityContext"], case_.container)
        for (key, value) in case_.containerFields { container[key] = value }
        var spec = Fixture.podSpec(.object(container), in: list).objectValue ?? [:]
        spec["securityContext"] = merged(spec["securityContext"], case_.pod)
        for (key, value) in case_.spec { spec[key] = value }
        var object = Fixture.workload(kind, podSpec: .object(spec))
        if !case_.annotations.isEmpty, let template = KubeObject(object).podTemplate {
            let path = (template.metadataPath ?? FieldPath("metadata")) / "annotations"
            object.set(merged(nil, JSONObject(uniqueKeysWithValues: case_.annotations.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })), at: path)
        }
        return object
    }

    static func evaluate(_ object: JSONValue, level: PodSecurityLevel, phase: EvaluationPhase = .combined) -> Decision {
        let view = KubeObject(object)
        let labels = [GuardLabels.stage: "production", GuardLabels.tier: "dedicated", GuardLabels.podSecurityEnforce: level.rawValue]
        let request = AdmissionRequest(uid: "psa", kind: view.gvk, resource: ResourceType.of(view.gvk).gvr, name: view.name,
                                       namespace: view.namespace, operation: .create, userInfo: UserInfo(username: "alice"), object: object)
        let context = EvaluationContext(namespace: NamespaceContext(name: view.namespace ?? "clinic", labels: labels), peers: [view], now: Fixture.now)
        return GuardEvaluator(policy: Fixture.policy).evaluate(request, context: context, phase: phase)
    }

    @Test("each control at baseline and restricted, in every kind and container list", arguments: cases)
    func controls(_ case_: Case) {
        for kind in Fixture.podTemplateKinds {
            for list in Self.lists(case_) {
                let object = Self.object(case_, kind: kind, list: list)
                let specPath = PodTemplate.specPath(forKind: kind)?.description ?? ""
                for (level, expected) in [(PodSecurityLevel.baseline, case_.baseline), (.restricted, case_.restricted)] {
                    let decision = Self.evaluate(object, level: level)
                    let found = decision.violations.filter(\.rule.isPodSecurity)
                    #expect(found.map(\.rule.rawValue).sorted() == expected, "\(case_) \(kind) \(list) at \(level)")
                    #expect(found.allSatisfy { $0.path.description.hasPrefix(specPath) || $0.path.description.contains("annotations") })
                    #expect(found.allSatisfy { $0.message.contains("Pod Security level") && $0.mode == .enforce })
                    if let field = case_.field, let first = found.first {
                        let tested = "\(list.rawValue)[0]"
                        #expect(first.path.description == specPath + "." + field.replacingOccurrences(of: "…", with: tested),
                                "\(case_) \(kind) \(list): \(first.path)")
                    }
                }
                #expect(Self.evaluate(object, level: .privileged).violations.filter(\.rule.isPodSecurity).isEmpty)
            }
        }
    }

    @Test func theStageGivesTheLevelWhenTheNamespaceHasNoLabel() {
        let object = Self.object(Case(name: "no drop", container: ["capabilities": nil], baseline: [], restricted: []), kind: "Deployment", list: .container)
        #expect(Fixture.evaluate(object, stage: "production").rules.contains("podsecurity.capabilities"))
        #expect(Fixture.evaluate(object, stage: "staging").rules.contains("podsecurity.capabilities"))
        #expect(!Fixture.evaluate(object, stage: "development").rules.contains("podsecurity.capabilities"))
        #expect(Fixture.evaluate(object, stage: nil).violations.isEmpty)
    }

    @Test func theValidatingWebhookWarnsUnlessThePolicyEnforces() throws {
        let object = Self.object(Case(name: "privileged", container: ["privileged": true], baseline: [], restricted: []), kind: "Pod", list: .container)
        let validating = Self.evaluate(object, level: .restricted, phase: .validating)
        #expect(validating.allowed)
        #expect(validating.warnings.contains { $0.contains("[podsecurity.privileged]") })
        #expect(!Self.evaluate(object, level: .restricted).allowed)
        let enforcing = try Fixture.policy("  podSecurity: {webhookMode: enforce}\n")
        let request = AdmissionRequest(uid: "x", kind: KubeObject(object).gvk, resource: ResourceType.of(KubeObject(object).gvk).gvr, name: "web",
                                       namespace: "clinic", operation: .create, userInfo: UserInfo(username: "alice"), object: object)
        let context = EvaluationContext(namespace: NamespaceContext(name: "clinic", labels: [GuardLabels.stage: "production"]), now: Fixture.now)
        #expect(!GuardEvaluator(policy: enforcing).evaluate(request, context: context, phase: .validating).allowed)
    }

    @Test func ephemeralContainersAddedThroughTheSubresourceAreJudged() {
        let debug = Fixture.container(name: "debug", image: "busybox:1.36", resources: nil,
                                      extra: ["securityContext": ["privileged": true, "capabilities": ["add": ["SYS_PTRACE"]]]])
        var spec = Fixture.podSpec(Fixture.container()).objectValue ?? [:]
        spec["ephemeralContainers"] = [debug]
        let pod = Fixture.workload("Pod", podSpec: .object(spec))
        let decision = Fixture.evaluate(pod, operation: .update, oldObject: pod, subResource: "ephemeralcontainers")
        #expect(decision.rules == ["podsecurity.allow-privilege-escalation", "podsecurity.capabilities", "podsecurity.capabilities", "podsecurity.privileged"])
        #expect(decision.violations.allSatisfy { $0.path.description.hasPrefix("spec.ephemeralContainers[0]") })
        #expect(Fixture.evaluate(pod, operation: .update, oldObject: pod, subResource: "status").auditAnnotations["skipped"] != nil)
    }

    @Test func versionsChangeTheAllowedSysctlsAndSELinuxTypes() throws {
        let sysctl = Self.object(Case(name: "rmem", pod: ["sysctls": [["name": "net.ipv4.tcp_rmem", "value": "4096 87380 6291456"]]], baseline: [], restricted: []),
                                 kind: "Pod", list: .container)
        let engine = Self.object(Case(name: "engine", container: ["seLinuxOptions": ["type": "container_engine_t"]], baseline: [], restricted: []),
                                 kind: "Pod", list: .container)
        for (version, rules) in [("v1.32", [String]()), ("latest", []), ("v1.29", ["podsecurity.selinux", "podsecurity.sysctls"])] {
            let policy = try Fixture.policy("  podSecurity: {version: \(version)}\n")
            let found = [sysctl, engine].flatMap { Fixture.evaluate($0, policy: policy).violations.filter(\.rule.isPodSecurity).map(\.rule.rawValue) }
            #expect(found.sorted() == rules, "\(version)")
        }
    }
}

extension PodSecurityRuleTests {
    @Test("a wrong type where a Pod Security control reads is a named denial, never a skipped control", arguments: [
        (Case(name: "privileged as a string", container: ["privileged": "true"], baseline: [], restricted: []), "….securityContext.privileged"),
        (Case(name: "hostNetwork as a string", spec: ["hostNetwork": "yes"], baseline: [], restricted: []), "hostNetwork"),
        (Case(name: "runAsUser as a string", pod: ["runAsUser": "0"], baseline: [], restricted: []), "securityContext.runAsUser"),
        (Case(name: "capabilities.add as a string", container: ["capabilities": ["add": "SYS_ADMIN"]], baseline: [], restricted: []),
         "….securityContext.capabilities.add"),
        (Case(name: "sysctls as an object", pod: ["sysctls": ["name": "kernel.msgmax"]], baseline: [], restricted: []), "securityContext.sysctls"),
        (Case(name: "hostPort as a string", containerFields: ["ports": [["hostPort": "80"]]], baseline: [], restricted: []), "….ports[0].hostPort"),
    ])
    func wrongTypes(_ case_: Case, _ field: String) {
        let object = Self.object(case_, kind: "Deployment", list: .container)
        let decision = Fixture.evaluate(object, stage: "production")
        let expected = "spec.template.spec." + field.replacingOccurrences(of: "…", with: "containers[0]")
        #expect(decision.denials.contains { $0.rule == .objectWellFormed && $0.path.description == expected }, "\(decision.denials)")
    }

    @Test("absurd sizes are refused unread", arguments: ["sysctls", "ports", "capabilities"])
    func absurdSizes(_ list: String) {
        let many = (0..<10_000).map { JSONValue.string("X\($0)") }
        var case_ = Case(name: list, baseline: [], restricted: [])
        switch list {
        case "sysctls": case_.pod = ["sysctls": .array((0..<10_000).map { ["name": .string("kernel.x\($0)")] })]
        case "ports": case_.containerFields = ["ports": .array((0..<10_000).map { ["containerPort": .int(Int64($0 + 1)), "hostPort": .int(Int64($0 + 1))] })]
        default: case_.container = ["capabilities": ["add": .array(many), "drop": ["ALL"]]]
        }
        let started = ContinuousClock.now
        let decision = Fixture.evaluate(Self.object(case_, kind: "Pod", list: .container), stage: "production")
        #expect(decision.violations.count == 1 && decision.violations.first?.rule == .objectWellFormed, "\(decision.violations.prefix(3))")
        #expect(decision.violations.first?.message.contains("10000 entries") == true)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func absurdVersionsAreRefused() {
        for version in ["v1.99999999999999999999999", "v1.-1", "v2.0", "v1.", ""] {
            #expect(throws: GuardRulesError.self, "\(version)") { try Fixture.policy("  podSecurity: {version: \"\(version)\"}\n") }
        }
    }
}
