import KubeModel

/// Reading one value of a slot into facts, as leniently as the rules read fields: a member of the
/// wrong type reads as absent.
extension PodFacts {
    /// The pod spec's own members: host namespaces (in the order the controls list them) and `os`.
    func readSpec(_ value: JSONValue) {
        guard case .object(let spec) = value else { return }
        specIsObject = true
        var network = false, pid = false, ipc = false
        var containerCount = 0
        spec.forEachMember { key, member in
            switch key {
            case "hostNetwork": network = member == true
            case "hostPID": pid = member == true
            case "hostIPC": ipc = member == true
            case "os": isWindows = member["name"]?.stringValue == "windows"
            case "tolerations": placement.readTolerations(member)
            case "nodeSelector": placement.nodeSelector = member.stringMap
            case "affinity": placement.readAffinity(member)
            // Room for every entry up front: one allocation per list, whatever its length.
            case "volumes": volumes.reserveCapacity(min(member.arrayValue?.count ?? 0, ObjectBudget.volumes))
            case "containers", "initContainers", "ephemeralContainers":
                containerCount += min(member.arrayValue?.count ?? 0, ObjectBudget.containersPerList)
            default: return
            }
        }
        containers.reserveCapacity(containerCount)
        if network || pid || ipc {
            hostNamespaces = [("hostNetwork", network), ("hostPID", pid), ("hostIPC", ipc)].filter(\.1).map(\.0)
        }
    }
}

extension ContainerFacts {
    /// The container's own members; its env entries, ports, resources and security context come
    /// from their slots.
    func read(_ value: JSONValue) {
        guard case .object(let object) = value else { return }
        object.forEachMember { key, member in
            switch key {
            case "name": name = member.stringValue ?? ""
            case "image": image = member.stringValue
            case "resources": resources = member
            case "env":
                envIsMisshapen = !member.isNull && member.arrayValue == nil
                env.reserveCapacity(min(member.arrayValue?.count ?? 0, ObjectBudget.envPerContainer))
            case "command": command = member.arrayValue ?? []
            case "args": args = member.arrayValue ?? []
            default: return
            }
        }
    }
}

extension EnvFacts {
    /// One `env` entry.
    init(_ raw: JSONValue) {
        guard case .object(let entry) = raw else { return }
        name = entry["name"]?.stringValue
        value = entry["value"]?.stringValue
        secretName = entry["valueFrom"]?["secretKeyRef"]?["name"]?.stringValue
    }
}

extension VolumeFacts {
    /// Volume types allowed at the restricted level; a volume naming no source is an `emptyDir` after defaulting.
    static let restrictedSources: Set<String> = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                                                 "persistentVolumeClaim", "projected", "secret"]

    /// One volume.
    init(_ value: JSONValue) {
        guard case .object(let fields) = value else { return }
        fields.forEachMember { key, member in
            switch key {
            case "name":
                name = member.stringValue
                return
            case "hostPath": hostPath = !member.isNull
            case "secret": secretName = member["secretName"]?.stringValue
            case "projected":
                for (index, source) in (member["sources"]?.arrayValue ?? []).enumerated() {
                    if let name = source["secret"]?["name"]?.stringValue { projectedSecrets.append((index, name)) }
                }
            default: break
            }
            if disallowedSource == nil && !member.isNull && !Self.restrictedSources.contains(key) { disallowedSource = key }
        }
    }
}

extension SecurityFacts {
    /// One `securityContext`; all defaults when it is not an object.
    init(_ value: JSONValue) {
        guard case .object(let context) = value else { return }
        context.forEachMember { key, member in
            switch key {
            case "windowsOptions": hostProcess = member["hostProcess"] == true
            case "privileged": privileged = member == true
            case "allowPrivilegeEscalation": allowPrivilegeEscalationFalse = member == false
            case "runAsUser": runAsUser = member.intValue
            case "runAsNonRoot": runAsNonRoot = member.isNull ? .null : member == false ? .isFalse : .other
            case "procMount": procMount = member.stringValue
            case "seLinuxOptions":
                guard case .object(let options) = member else { return }
                seLinux = (options["type"]?.stringValue ?? "", options["user"]?.stringValue, options["role"]?.stringValue)
            case "appArmorProfile": appArmorType = member["type"]?.stringValue
            case "seccompProfile": seccompType = member["type"]?.stringValue
            case "capabilities":
                capabilitiesAdded = member["add"]?.arrayValue ?? []
                dropsAll = member["drop"]?.arrayValue?.contains { $0.stringValue == "ALL" } ?? false
            case "sysctls":
                sysctls = member.arrayValue ?? []
            default: return
            }
        }
    }
}
