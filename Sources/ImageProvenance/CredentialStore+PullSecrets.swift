import Foundation
import KubeModel

extension CredentialStore {
    /// The credentials of a workload's `imagePullSecrets`, found among `secrets` (the Secrets of its own
    /// namespace), in the order the workload names them. Secrets that are missing or unreadable are
    /// skipped and listed in `problems` by name (never with their contents), as the kubelet skips them.
    public static func fromPullSecrets(_ names: [String], in secrets: [KubeObject]) -> (store: CredentialStore, problems: [String]) {
        var store = CredentialStore()
        var problems: [String] = []
        for name in names {
            guard let secret = secrets.first(where: { $0.kind == "Secret" && $0.name == name }) else {
                problems.append("imagePullSecret \(name) was not found in the namespace")
                continue
            }
            let data = secret.raw["data"]
            guard let encoded = data?[".dockerconfigjson"]?.stringValue ?? data?[".dockercfg"]?.stringValue,
                  let bytes = Data(base64Encoded: encoded) else {
                problems.append("imagePullSecret \(name) has no base64 .dockerconfigjson")
                continue
            }
            do {
                store = store.merging(try CredentialStore(dockerConfig: Array(bytes), source: "imagePullSecret \(name)"))
            } catch {
                problems.append(error.message)
            }
        }
        return (store, problems)
    }
}
