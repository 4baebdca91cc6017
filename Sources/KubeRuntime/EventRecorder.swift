import Foundation
import KubeClient
import KubeModel
import Logging

/// Records `events.k8s.io/v1` Events about objects, best effort (a failure is logged, never thrown,
/// so reconciles do not fail for lack of an Event). A repeat of the same event (same object, type,
/// reason, action and note) within ``repeatWindow`` updates the first one's `series` (count and
/// last time) instead of creating another object, as client-go's event broadcaster does.
public actor EventRecorder {
    /// `Normal` or `Warning`.
    public enum EventType: String, Sendable {
        /// Something expected happened.
        case normal = "Normal"
        /// Something a person should look at.
        case warning = "Warning"
    }

    let api: any KubernetesAPI
    /// `reportingController` (`odooguard.io/operator`).
    public let controller: String
    /// `reportingInstance` (the pod's name).
    public let instance: String
    /// How long a repeat counts as the same event.
    public let repeatWindow: TimeInterval
    let logger: Logger
    private var recent: RecentEvents

    /// A recorder that remembers up to `capacity` recent Events for their series.
    public init(api: any KubernetesAPI, controller: String, instance: String, repeatWindow: TimeInterval = 600, capacity: Int = 4096,
                logger: Logger) {
        self.api = api
        self.controller = controller
        self.instance = instance
        self.repeatWindow = repeatWindow
        self.logger = logger
        recent = RecentEvents(capacity: capacity, repeatWindow: repeatWindow)
    }

    /// Records an event about `object`; `note` is cut to the API's 1 kB limit.
    /// Returns the Event's name, or `nil` when it could not be written.
    @discardableResult
    public func record(_ type: EventType, reason: String, action: String, note: String, regarding object: KubeObject,
                       now: Date = Date()) async -> String? {
        let note = note.utf8.count > 1024 ? String(decoding: Array(note.utf8.prefix(1000)), as: UTF8.self) + "…" : note
        let namespace = object.namespace ?? "default"
        let key = [object.uid ?? object.reference, type.rawValue, reason, action, note].joined(separator: "\u{1F}")
        if var seen = recent.current(key, now: now) {
            seen.count += 1
            seen.lastUsed = now
            let patch: JSONValue = ["series": ["count": .int(Int64(seen.count)), "lastObservedTime": .string(Timestamp.microTime(now))]]
            do {
                _ = try await api.patch(.events, namespace: seen.namespace, name: seen.name, patch: .merge(patch), subresource: nil,
                                        options: WriteOptions())
                recent.store(seen, for: key, now: now)
                return seen.name
            } catch {
                logger.debug("could not update an event series; writing a new event", metadata: ["error": "\(error)"])
                recent.remove(key)
            }
        }
        let name = "\(object.name.isEmpty ? "object" : object.name).\(String(UInt64(now.timeIntervalSince1970 * 1e9), radix: 16))"
        var regarding: JSONObject = ["apiVersion": .string(object.apiVersion), "kind": .string(object.kind), "name": .string(object.name)]
        if let objectNamespace = object.namespace { regarding["namespace"] = .string(objectNamespace) }
        if let uid = object.uid { regarding["uid"] = .string(uid) }
        if let version = object.resourceVersion { regarding["resourceVersion"] = .string(version) }
        let event: JSONValue = [
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "eventTime": .string(Timestamp.microTime(now)),
            "reportingController": .string(controller), "reportingInstance": .string(instance),
            "action": .string(action), "reason": .string(reason), "note": .string(note), "type": .string(type.rawValue),
            "regarding": .object(regarding),
        ]
        do {
            _ = try await api.create(.events, namespace: namespace, object: event, options: WriteOptions())
        } catch {
            logger.warning("could not record an event", metadata: [
                "k8s.kind": "\(object.kind)", "k8s.namespace": "\(namespace)", "k8s.name": "\(object.name)",
                "event.reason": "\(reason)", "error": "\(error)",
            ])
            return nil
        }
        recent.store(RecentEvents.Entry(name: name, namespace: namespace, count: 1, lastUsed: now), for: key, now: now)
        return name
    }
}
