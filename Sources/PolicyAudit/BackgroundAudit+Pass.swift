import Foundation
import GuardRules
import KubeClient
import KubeModel
import Logging

extension BackgroundAudit {
    /// One pass over every governed namespace (labelled `odooguard.io/stage`) and the cluster report.
    /// A namespace that cannot be read or written counts as a failure and is retried next pass.
    public func runPass(policy: GuardPolicy, now: Date) async -> Pass {
        let builder = PolicyReportBuilder(policy: policy, now: now, maximumResults: settings.maximumResults)
        var pass = Pass()
        let namespaces: [JSONValue]
        do throws(KubeClientError) {
            // The report kinds must be served (Policy Reporter's or Kyverno's CRDs); without them there is nothing to write to.
            _ = try await api.list(.clusterPolicyReports, namespace: nil, options: ListOptions(limit: 1))
        } catch {
            logger.warning("background audit: wgpolicyk8s.io ClusterPolicyReports cannot be listed; are Policy Reporter's or Kyverno's CRDs installed?",
                           metadata: ["error": "\(error)"])
            pass.failures += 1
            onPass?(pass, now)
            return pass
        }
        do throws(KubeClientError) {
            namespaces = try await api.listAll(.namespaces, namespace: nil, options: ListOptions(labelSelector: GuardLabels.stage)).items
        } catch {
            logger.warning("background audit: namespaces not listed", metadata: ["error": "\(error)"])
            pass.failures += 1
            return pass
        }
        for raw in namespaces {
            let namespace = KubeObject(raw)
            do throws(KubeClientError) {
                let (objects, peers) = try await listObjects(in: namespace.name)
                pass.objects += objects.count
                let existing = try await api.getIfExists(.policyReports, namespace: namespace.name, name: PolicyReportBuilder.reportName)
                let write = builder.namespaceReport(NamespaceContext(name: namespace.name, labels: namespace.labels), objects: objects,
                                                    peers: peers, existing: existing)
                try await apply(write, resource: .policyReports, namespace: namespace.name, into: &pass)
                pass.namespaces += 1
            } catch {
                pass.failures += 1
                logger.warning("background audit: namespace not reported", metadata: ["k8s.namespace": "\(namespace.name)", "error": "\(error)"])
            }
        }
        do throws(KubeClientError) {
            let existing = try await api.getIfExists(.clusterPolicyReports, namespace: nil, name: PolicyReportBuilder.reportName)
            try await apply(builder.clusterReport(namespaces: namespaces.map(KubeObject.init), existing: existing),
                            resource: .clusterPolicyReports, namespace: nil, into: &pass)
        } catch {
            logger.warning("background audit: cluster report not written", metadata: ["error": "\(error)"])
            pass.failures += 1
        }
        onPass?(pass, now)
        return pass
    }

    /// The judged objects of a namespace and the GuardExceptions they are judged with.
    func listObjects(in namespace: String) async throws(KubeClientError) -> (objects: [KubeObject], peers: [KubeObject]) {
        var objects: [KubeObject] = []
        for resource in Self.audited {
            objects += try await api.listAll(resource, namespace: namespace).items.map(KubeObject.init)
        }
        let exceptions = try await api.listAll(.guardExceptions, namespace: namespace).items.map(KubeObject.init)
        return (objects, exceptions)
    }

    /// Creates or replaces a report; nothing when it did not change. A replaced report that changed
    /// meanwhile (409) is left for the next pass.
    func apply(_ write: PolicyReportBuilder.Write?, resource: ResourceType, namespace: String?, into pass: inout Pass) async throws(KubeClientError) {
        guard let write else { return }
        let options = WriteOptions(fieldManager: "odoo-guard-background-audit")
        switch write {
        case .create(let report):
            _ = try await api.create(resource, namespace: namespace, object: report, options: options)
            pass.largestReport = max(pass.largestReport, report.serializedBytes().count)
        case .update(let report):
            _ = try await api.update(resource, namespace: namespace, object: report, subresource: nil, options: options)
            pass.largestReport = max(pass.largestReport, report.serializedBytes().count)
        }
        pass.writes += 1
    }
}
