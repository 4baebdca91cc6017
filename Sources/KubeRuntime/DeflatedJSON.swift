import CZlib

/// Serialized objects as a compact cache keeps them: raw deflate (zlib, a 4 KiB window) primed with a
/// dictionary of what Kubernetes objects written by this operator repeat — keys, kinds, labels,
/// owner references — so even a 1 KiB object compresses well on its own. Each entry is independent
/// (no shared stream state), so reads need no lock and a lost entry costs only itself.
enum DeflatedJSON {
    /// Window bits of the raw deflate stream (negative: no zlib header). 4 KiB: objects are small and
    /// the dictionary must fit in the window.
    private static let windowBits: Int32 = -12
    /// zlib's memory level: 5 keeps each compressor's state at about 20 KiB.
    private static let memoryLevel: Int32 = 5

    /// `bytes` deflated, or `nil` when zlib fails (the caller keeps them as they are).
    static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, windowBits, memoryLevel, Z_DEFAULT_STRATEGY, zlibVersion(),
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let primed = dictionary.withUnsafeBufferPointer { buffer in
            deflateSetDictionary(&stream, buffer.baseAddress, UInt32(buffer.count)) == Z_OK
        }
        guard primed else { return nil }
        let bound = Int(deflateBound(&stream, UInt(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        let written = Int(stream.total_out)
        // An exactly sized copy: the bound leaves slack in every entry otherwise.
        return [UInt8](unsafeUninitializedCapacity: written) { buffer, count in
            count = buffer.initialize(from: output[0..<written]).1 - buffer.startIndex
        }
    }

    /// The `size` bytes that `deflated` holds, or `nil` when they do not inflate to exactly that.
    static func decompress(_ deflated: [UInt8], size: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        let primed = dictionary.withUnsafeBufferPointer { buffer in
            inflateSetDictionary(&stream, buffer.baseAddress, UInt32(buffer.count)) == Z_OK
        }
        guard primed else { return nil }
        var status: Int32 = Z_DATA_ERROR
        let output = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            deflated.withUnsafeBufferPointer { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                status = inflate(&stream, Z_FINISH)
            }
            count = status == Z_STREAM_END ? Int(stream.total_out) : 0
        }
        guard status == Z_STREAM_END, output.count == size else { return nil }
        return output
    }

    /// What the objects repeat, the most frequent last (zlib reaches the end of a dictionary cheapest).
    static let dictionary: [UInt8] = Array((
        #"{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","spec":{"podSelector":{"matchLabels":{"#
        + #""policyTypes":["Ingress","Egress"],"ingress":[{"from":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"#
        + #""egress":[{"to":[{"ipBlock":{"cidr":"0.0.0.0/0"}}],"ports":[{"port":53,"protocol":"UDP"},{"port":5432,"protocol":"TCP"}]"#
        + #"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1,"selector":{"matchLabels":{"template":{"metadata":{"#
        + #""containers":[{"name":"odoo","image":"","imagePullPolicy":"IfNotPresent","args":["--config","/etc/odoo/odoo.conf"],"#
        + #""resources":{"requests":{"cpu":"500m","memory":"1Gi"},"limits":{"memory":"2Gi"}},"#
        + #""readinessProbe":{"httpGet":{"path":"/web/health","port":8069},"livenessProbe":{"startupProbe":{"#
        + #""securityContext":{"runAsNonRoot":true,"runAsUser":101,"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"#
        + #""capabilities":{"drop":["ALL"]},"seccompProfile":{"type":"RuntimeDefault"}},"#
        + #""volumeMounts":[{"name":"config","mountPath":"/etc/odoo","readOnly":true},{"name":"filestore","mountPath":"/var/lib/odoo"}],"#
        + #""volumes":[{"name":"config","configMap":{"name":"persistentVolumeClaim":{"claimName":"secret":{"secretName":"#
        + #""env":[{"name":"PGPASSWORD","valueFrom":{"secretKeyRef":{"name":"key":"password"}}}],"envFrom":[{"secretRef":{"#
        + #""strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}},"#
        + #"{"apiVersion":"v1","kind":"ConfigMap","data":{"odoo.conf":"[options]\ndb_host = \ndb_port = 5432\ndb_user = \n"#
        + #"{"apiVersion":"v1","kind":"Service","spec":{"type":"ClusterIP","ports":[{"name":"http","port":8069,"targetPort":8069,"protocol":"TCP"}],"#
        + #"{"apiVersion":"v1","kind":"Secret","type":"Opaque","{"apiVersion":"v1","kind":"PersistentVolumeClaim","spec":{"accessModes":["ReadWriteOnce"],"#
        + #"{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","spec":{"minAvailable":1,"{"apiVersion":"batch/v1","kind":"Job","CronJob","#
        + #""status":{"observedGeneration":1,"replicas":1,"readyReplicas":1,"availableReplicas":1,"updatedReplicas":1,"conditions":[{"type":"Available","status":"True","#
        + #""lastTransitionTime":"2026-","lastUpdateTime":"2026-","reason":"","message":"","#
        + #"{"apiVersion":"traefik.io/v1alpha1","kind":"Middleware","IngressRoute","ServersTransport","TLSOption","routes":[{"match":"Host(`"#
        + #"{"apiVersion":"v1","kind":"ResourceQuota","LimitRange","spec":{"hard":{"#
        + #""annotations":{"odooguard.io/applied-hash":"","odooguard.io/environment":"","#
        + #""ownerReferences":[{"apiVersion":"odooguard.io/v1alpha1","kind":"OdooEnvironment","name":"","uid":"","controller":true,"blockOwnerDeletion":true}],"#
        + #""labels":{"app.kubernetes.io/component":"web","app.kubernetes.io/instance":"","app.kubernetes.io/managed-by":"odoo-guard","app.kubernetes.io/name":"odoo","app.kubernetes.io/part-of":"odoo-guard","odooguard.io/environment":""},"#
        + #""metadata":{"creationTimestamp":"2026-","generation":1,"name":"","namespace":"","resourceVersion":"","uid":""#
    ).utf8)
}
