import KubeModel

/// `image.registry-allowed`, `image.no-latest`, `image.digest-pinned` over every container of every
/// pod template, and over an OdooEnvironment's `spec.image` and `spec.addons[].image`.
enum ImageRules {
    static func check(_ input: RuleInput, into findings: inout [Finding]) {
        guard input.stage != nil else { return }
        if let pod = input.pod {
            for container in pod.containers {
                guard let image = container.image, !image.isEmpty else {
                    findings.append(Finding(rule: .objectWellFormed, path: container.path / "image", message: "\(container.label) has no image"))
                    continue
                }
                check(image: image, at: container.path / "image", owner: container.label, input, into: &findings)
            }
        } else if let environment = OdooEnvironmentView(input.object) {
            if let image = environment.image { check(image: image, at: "spec.image", owner: "the environment", input, into: &findings) }
            for (index, image) in environment.addonImages {
                check(image: image, at: FieldPath("spec.addons") / index / "image", owner: "addon image \(index)", input, into: &findings)
            }
        }
    }

    /// Path and owner are built only when a finding needs them.
    static func check(image: String, at path: @autoclosure () -> FieldPath, owner: @autoclosure () -> String, _ input: RuleInput,
                      into findings: inout [Finding]) {
        let stage = input.stage?.rawValue ?? ""
        let reference: ImageReference
        do {
            reference = try ImageReference(parsing: image)
        } catch {
            findings.append(Finding(rule: .imageRegistryAllowed, path: path(),
                                    message: "\(error.message); its registry cannot be checked, so it is not allowed"))
            return
        }
        // The name is built only for a message; the check reads it in place.
        var name: String { reference.name }
        if !input.stagePolicy.allows(reference.nameSlice) {
            let allowed = input.stagePolicy.allowedRegistries
            findings.append(Finding(rule: .imageRegistryAllowed, path: path(), message:
                "\(owner()) uses \(name), which is not an allowed registry for stage \(stage); allowed: \(allowed.joined(separator: ", "))"))
        }
        if !reference.hasDigest {
            if !reference.hasTag {
                findings.append(Finding(rule: .imageNoLatest, path: path(), message:
                    "\(owner()) uses image \"\(image)\" without a tag, which means :latest; name a version tag (\(name):<version>)"))
            } else if reference.tagIs("latest") {
                findings.append(Finding(rule: .imageNoLatest, path: path(), message:
                    "\(owner()) uses the mutable tag :latest; name a version tag (\(name):<version>)"))
            }
        }
        if input.stagePolicy.requireDigest && !reference.isPinnedBySHA256 {
            findings.append(Finding(rule: .imageDigestPinned, path: path(), message:
                "stage \(stage) requires images pinned by digest; use \(name)\(reference.tag.flatMap { $0 == "latest" ? nil : ":" + $0 } ?? "")@sha256:<digest> (the digest `skopeo inspect` prints)"))
        }
    }
}
