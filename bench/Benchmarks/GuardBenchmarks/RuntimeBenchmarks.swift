import Benchmark
import Foundation
import KubeClient
import KubeModel
import KubeRuntime

/// One OdooEnvironment as the API returns it (metadata with managedFields, spec, status with conditions), ~2.4 KB as compact JSON.
func odooEnvironment(_ index: Int) -> JSONValue {
    let name = "clinic-\(index)"
    let conditions: [JSONValue] = ["Ready", "Progressing", "Degraded", "DatabaseReady", "IngressReady", "BackupReady"].map { type in
        ["type": .string(type), "status": type == "Degraded" || type == "Progressing" ? "False" : "True", "reason": "Reconciled",
         "message": "all 14 objects are applied and healthy", "lastTransitionTime": "2026-11-21T10:00:00Z", "observedGeneration": 3]
    }
    return [
        "apiVersion": "odooguard.io/v1alpha1", "kind": "OdooEnvironment",
        "metadata": ["name": .string(name), "namespace": .string("tenant-\(index % 100)"), "uid": .string(UUID().uuidString.lowercased()),
                     "resourceVersion": .string(String(100_000 + index)), "generation": 3, "creationTimestamp": "2026-11-01T09:00:00Z",
                     "labels": ["odooguard.io/stage": index % 3 == 0 ? "production" : "development", "odooguard.io/tier": "shared",
                                "odooguard.io/shard": .string("shard-\(index % 4)"), "app.kubernetes.io/managed-by": "odoo-guard"],
                     "annotations": ["odooguard.io/change-ref": .string("CHG-\(index)")],
                     "finalizers": ["odooguard.io/cleanup"],
                     "managedFields": [["manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "odooguard.io/v1alpha1",
                                        "time": "2026-11-01T09:00:00Z", "fieldsType": "FieldsV1",
                                        "fieldsV1": ["f:spec": ["f:version": [:], "f:stage": [:], "f:tier": [:], "f:hostname": [:]]]]]],
        "spec": ["version": "17.0", "stage": index % 3 == 0 ? "production" : "development", "tier": "shared",
                 "hostname": .string("\(name).odoo.example.com"), "replicas": 2, "image": "registry.example.com/odoo/odoo:17.0",
                 "resources": ["requests": ["cpu": "500m", "memory": "1Gi"], "limits": ["memory": "2Gi"]],
                 "backup": ["schedule": "0 2 * * *", "retentionDays": 30], "adminAllowlist": ["10.0.0.0/8"], "deletionPolicy": "Retain"],
        "status": ["observedGeneration": 3, "url": .string("https://\(name).odoo.example.com"), "conditions": .array(conditions),
                   "imageDigest": .string("sha256:" + String(repeating: "ab", count: 32)), "lastBackupTime": "2026-11-21T02:00:11Z"],
    ]
}

func runtimeBenchmarks() {
    let environments = (0..<1_000).map(odooEnvironment)
    let lines: [[UInt8]] = environments.map {
        JSONValue.object(["type": "MODIFIED", "object": $0]).serializedBytes()
    }

    // Issue #5: watch events decoded per second (one event: JSON line → WatchEvent).
    Benchmark("runtime: decode 1,000 watch events (OdooEnvironment, ~2.4 KB each)",
              configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 200)) { benchmark in
        for _ in benchmark.scaledIterations {
            for line in lines {
                if let value = try? JSONParser.parse(line) {
                    blackHole(try? WatchEvent.decode(value, resource: .odooEnvironments))
                }
            }
        }
    }

    // Issue #5: cache memory per 1,000 OdooEnvironments (the resident growth while a store holds them).
    Benchmark("runtime: store of 1,000 OdooEnvironments (decode + index)",
              configuration: .init(metrics: [.wallClock, .peakMemoryResidentDelta, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 50)) { benchmark in
        for _ in benchmark.scaledIterations {
            let store = ObjectStore()
            store.apply(.listed(lines.compactMap { try? JSONParser.parse($0)["object"] }.compactMap { $0 }, first: true, last: true))
            blackHole(store.list(selector: LabelSelector(matchLabels: ["odooguard.io/shard": "shard-1"])).count)
        }
    }

    // Issue #5: work queue throughput (add, next, done) with 4 workers.
    Benchmark("runtime: work queue, 10,000 keys through 4 workers",
              configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(5), maxIterations: 100)) { benchmark in
        for _ in benchmark.scaledIterations {
            let queue = WorkQueue<Int>()
            await withTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var handled = 0
                        while let key = await queue.next() {
                            handled += 1
                            queue.done(key)
                        }
                        return handled
                    }
                }
                for key in 0..<10_000 { queue.add(key) }
                while queue.depth > 0 || queue.processingCount > 0 { await Task.yield() }
                queue.shutDown()
                var total = 0
                for await handled in group { total += handled }
                blackHole(total)
            }
        }
    }
}
