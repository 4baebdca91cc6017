import KubeModel
import Testing

/// The kind catalogue and the plural the API machinery would guess for a kind it does not hold.
@Suite("ResourceType catalogue")
struct ResourceTypeTests {
    // The guess is upstream's, naive as it is ("gatewaies"): kinds that matter belong in the catalogue.
    @Test("plurals as UnsafeGuessKindToResource forms them, including names a manifest may carry",
          arguments: [("NetworkPolicy", "networkpolicies"), ("Ingress", "ingresses"), ("Endpoints", "endpoints"), ("Deployment", "deployments"),
                      ("Gateway", "gatewaies"), ("Y", "ies"), ("S", "ses"), ("", ""), ("Ünïcödé", "ünïcödés")])
    func plurals(_ kind: String, _ plural: String) {
        #expect(ResourceType.plural(of: kind) == plural)
    }

    @Test func theCatalogueAnswersForItsKindsAndGuessesOnlyForOthers() {
        let policy = GroupVersionKind(group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy")
        #expect(ResourceType.of(policy) == .networkPolicies)
        #expect(ResourceType.known(GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")) == nil)
        let widget = ResourceType.of(GroupVersionKind(group: "example.com", version: "v1", kind: "Widget"))
        #expect(widget.resource == "widgets" && widget.namespaced)
        #expect(Set(ResourceType.catalogue.map { "\($0.group)/\($0.version)/\($0.kind)" }).count == ResourceType.catalogue.count, "no kind twice")
    }

    @Test func aHugeKindIsPluralisedWithoutTrouble() {
        let kind = String(repeating: "Policy", count: 20_000)
        #expect(ResourceType.plural(of: kind).hasSuffix("policies"))
    }
}
