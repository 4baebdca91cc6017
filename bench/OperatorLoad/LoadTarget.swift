import Foundation
import KubeAPITestServer
import KubeClient

/// Where `operator-load` runs: the in-process API test server, or a real kube-apiserver named by
/// `OPERATOR_LOAD_KUBECONFIG` (a fresh control plane: the run leaves N namespaces behind, and without
/// a controller manager they are never deleted). Requests are counted from the test server's request
/// log, or from the real server's `apiserver_request_total`.
protocol LoadTarget: Sendable {
    /// How the benchmark's client reaches the server.
    var config: KubeConfig { get }
    /// A kubeconfig file for the operator.
    func kubeconfig(in directory: URL) throws -> String
    /// Requests served so far, by ``RequestMix/key(_:)``.
    func requestCounts() async -> [String: Int]
    /// The server's current resourceVersion (objects written so far), or 0 when unknown.
    func resourceVersion(_ api: KubeHTTPClient) async -> Int
    /// CPU seconds the API server has used so far (with etcd for a real one).
    func serverCPU() -> Double
}

/// The in-process API test server.
struct TestServerTarget: LoadTarget {
    let server: KubeAPITestServer
    var config: KubeConfig { server.config }
    func kubeconfig(in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("kubeconfig").path
        try server.writeKubeconfig(to: path)
        return path
    }
    func requestCounts() async -> [String: Int] { RequestMix(server.requests).counts }
    func resourceVersion(_ api: KubeHTTPClient) async -> Int { server.resourceVersion }
    /// The benchmark's own process: the server, with the benchmark's client and polling.
    func serverCPU() -> Double { ProcessCPU.own() }
}

/// A real kube-apiserver.
struct RealClusterTarget: LoadTarget {
    let path: String
    let config: KubeConfig

    init(path: String) throws {
        self.path = path
        config = try KubeConfig.resolve(explicitPath: path)
    }

    func kubeconfig(in directory: URL) throws -> String { path }

    /// `apiserver_request_total` by verb, resource and subresource, keyed as the test server's log is.
    func requestCounts() async -> [String: Int] {
        guard let text = kubectl(["get", "--raw", "/metrics"]) else { return [:] }
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("apiserver_request_total{") {
            guard let close = line.lastIndex(of: "}"), let value = Double(line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)) else { continue }
            var labels: [String: String] = [:]
            for pair in line[line.index(after: line.firstIndex(of: "{") ?? line.startIndex)..<close].split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { labels[String(parts[0])] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            guard let verb = labels["verb"], let resource = labels["resource"], !resource.isEmpty else { continue }
            let sub = labels["subresource"].flatMap { $0.isEmpty ? nil : $0 }
            let key: String
            switch verb {
            case "LIST": key = "GET \(resource) list"
            case "WATCH", "WATCHLIST": key = "GET \(resource) watch"
            case "POST": key = "POST \(resource) list"
            case "APPLY": key = "PATCH \(resource) \(sub.map { "\($0) " } ?? "")item"
            default: key = "\(verb) \(resource) \(sub.map { "\($0) " } ?? "")item"
            }
            counts[key, default: 0] += Int(value)
        }
        return counts
    }

    func resourceVersion(_ api: KubeHTTPClient) async -> Int {
        guard let list = try? await api.list(.namespaces, namespace: nil, options: ListOptions(limit: 1)) else { return 0 }
        return Int(list.resourceVersion ?? "") ?? 0
    }

    /// Every `kube-apiserver` and `etcd` process of this machine.
    func serverCPU() -> Double {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            return name == "kube-apiserver" || name == "etcd"
        }.map { ProcessCPU(pid: $0).seconds() }.reduce(0, +)
    }

    private func kubectl(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl", "--kubeconfig", path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
