import KubeClient
import KubeModel
import Logging

/// What a watcher tells its consumer.
public enum WatcherEvent: Sendable {
    /// One page of a (re-)list, sent first and again after a 410 Gone made the watcher list afresh.
    /// `first` begins a list (pages of an earlier, interrupted one are void); after the `last` page the
    /// objects of the list's pages are all the objects, and anything not among them is gone. Pages
    /// are handed over as they arrive, so a consumer never holds a whole list as JSON trees. A caller
    /// holding a whole list sends it as one page that is both `first` and `last`.
    case listed([JSONValue], first: Bool, last: Bool)
    /// An object was added or changed.
    case applied(JSONValue)
    /// An object was deleted (its last state).
    case deleted(JSONValue)
}

/// Keeps a consumer up to date with a collection, as client-go's reflector and kube-rs' watcher do:
/// list (paged) then watch from the list's resourceVersion; resume after each server-side timeout
/// or dropped connection from the last version seen (objects or bookmarks); list again after 410
/// Gone; back off (800 ms → 30 s, jittered) after errors. It never ends by itself: it ends when the
/// consuming task is cancelled.
public struct Watcher: AsyncSequence, Sendable {
    /// Each event.
    public typealias Element = WatcherEvent

    /// The API.
    public let api: any KubernetesAPI
    /// The resource watched.
    public let resource: ResourceType
    /// The namespace (`nil`: all namespaces).
    public let namespace: String?
    /// Only objects with these labels (the API's text form), e.g. an operator shard's selector.
    public let labelSelector: String?
    /// Only each object's metadata, asked of the server as `PartialObjectMetadata` (see ``ListOptions/metadataOnly``).
    public let metadataOnly: Bool
    /// The list page size: 100 by default. Every kind lists at once after a restart, and each page is
    /// held as a tree while it is trimmed; at 500 (client-go's default) that burst took the operator's
    /// restart from 82 to 109–118 MiB at 1,000 environments (`bench/REPORT.md`, issue #37).
    public let pageSize: Int
    /// The server-side timeout of each watch request.
    public let watchTimeoutSeconds: Int
    /// The backoff after errors.
    public let backoff: Backoff
    let logger: Logger

    /// A watcher.
    public init(api: any KubernetesAPI, resource: ResourceType, namespace: String? = nil, labelSelector: String? = nil,
                metadataOnly: Bool = false, pageSize: Int = 100, watchTimeoutSeconds: Int = 290, backoff: Backoff = Backoff(), logger: Logger) {
        self.api = api
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.metadataOnly = metadataOnly
        self.pageSize = pageSize
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.backoff = backoff
        self.logger = logger
    }

    /// The iterator.
    public func makeAsyncIterator() -> Iterator { Iterator(watcher: self, backoff: backoff) }

    /// Runs the list/watch state machine.
    public struct Iterator: AsyncIteratorProtocol {
        let watcher: Watcher
        var backoff: Backoff
        var version: String?
        var stream: WatchEvents.Iterator?
        /// The next page's options while a list is being paged.
        var listing: ListOptions?
        /// The resourceVersion of the list being paged (its first page's).
        var listVersion = ""

        init(watcher: Watcher, backoff: Backoff) {
            self.watcher = watcher
            self.backoff = backoff
        }

        /// The next event; `nil` only when the task is cancelled.
        public mutating func next() async -> WatcherEvent? {
            while !Task.isCancelled {
                guard let version else {
                    let first = listing == nil
                    var options = listing ?? ListOptions(labelSelector: watcher.labelSelector, limit: watcher.pageSize,
                                                         metadataOnly: watcher.metadataOnly)
                    do {
                        let page = try await watcher.api.list(watcher.resource, namespace: watcher.namespace, options: options)
                        if first { listVersion = page.resourceVersion }
                        if let token = page.continueToken, !token.isEmpty {
                            options.continueToken = token
                            listing = options
                            return .listed(page.items, first: first, last: false)
                        }
                        listing = nil
                        self.version = listVersion
                        backoff.reset()
                        return .listed(page.items, first: first, last: true)
                    } catch {
                        // A page failed (its continue token may have expired): the list starts over.
                        listing = nil
                        await pause(after: error, doing: "list")
                        continue
                    }
                }
                if stream == nil {
                    let options = WatchOptions(resourceVersion: version, labelSelector: watcher.labelSelector,
                                               allowWatchBookmarks: true, timeoutSeconds: watcher.watchTimeoutSeconds,
                                               metadataOnly: watcher.metadataOnly)
                    stream = watcher.api.watch(watcher.resource, namespace: watcher.namespace, options: options).makeAsyncIterator()
                }
                do {
                    guard let event = try await stream?.next() else {
                        stream = nil // the server ended the watch: resume from the last version
                        continue
                    }
                    backoff.reset()
                    if let seen = event.resourceVersion { self.version = seen }
                    switch event.kind {
                    case .added, .modified: return .applied(event.object)
                    case .deleted: return .deleted(event.object)
                    case .bookmark: continue
                    }
                } catch let error as KubeClientError where error == .gone {
                    watcher.logger.debug("watch expired; listing again", metadata: ["k8s.resource": "\(watcher.resource)"])
                    stream = nil
                    self.version = nil
                } catch {
                    stream = nil
                    await pause(after: error, doing: "watch")
                }
            }
            return nil
        }

        private mutating func pause(after error: any Error, doing action: String) async {
            let delay = backoff.next()
            var metadata: Logger.Metadata = ["k8s.resource": "\(watcher.resource)", "error": "\(error)", "retry.in": "\(delay)"]
            if let failure = error as? KubeClientError, failure == .notFound {
                // A 404 on a collection: the API does not serve this kind at all (a CRD not installed).
                metadata["hint"] = "the API does not serve \(watcher.resource.apiVersion) \(watcher.resource.kind); install its CustomResourceDefinition"
            }
            watcher.logger.warning("\(action) failed; retrying", metadata: metadata)
            try? await Task.sleep(for: delay)
        }
    }
}
