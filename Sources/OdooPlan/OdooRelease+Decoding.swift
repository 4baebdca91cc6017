import Foundation
import KubeModel

extension OdooRelease {
    /// The most cohorts a release has.
    public static let maximumCohorts = 10

    /// Decodes and validates an OdooRelease object, applying the CRD's defaults.
    ///
    /// - Throws: ``OdooPlanError`` `invalidRelease` listing every invalid field with its path.
    public static func decode(_ document: JSONValue) throws(OdooPlanError) -> OdooRelease {
        var reader = FieldReader()
        guard case .object(let root) = document else {
            throw OdooPlanError.invalidRelease("expected an OdooRelease object, found \(document.typeDescription)")
        }
        if root["apiVersion"]?.stringValue != "odooguard.io/v1alpha1" || root["kind"]?.stringValue != "OdooRelease" {
            reader.errors.append(.invalid("kind", "must be an odooguard.io/v1alpha1 OdooRelease, found \(root["apiVersion"]?.serialized() ?? "no apiVersion") \(root["kind"]?.serialized() ?? "no kind")"))
        }
        let metadata = reader.object(root["metadata"], "metadata", required: true)
        let name = reader.string(metadata?["name"], "metadata.name", required: true) ?? ""
        if !name.isEmpty && !OdooEnvironment.isEnvironmentName(name) {
            reader.errors.append(.invalid("metadata.name", "\"\(name)\" must be a DNS label of at most \(OdooEnvironment.maximumNameLength) characters starting with a letter (it is the change reference release/<name> on every environment it switches)"))
        }
        let spec = reader.object(root["spec"], "spec", required: true) ?? [:]
        reader.unknownKeys(spec, allowed: ["image", "addons", "cohorts", "verificationMinutes", "paused"], "spec")
        let image = reader.pinnedImage(spec["image"], "spec.image", required: true)
        var addons: [OdooEnvironment.Addon]?
        if let value = spec["addons"], !value.isNull {
            let decoded = reader.addons(value)
            for (index, addon) in decoded.enumerated() where !addon.image.contains("@sha256:") {
                reader.errors.append(.invalid(FieldPath("spec.addons") / index / "image", "\"\(addon.image)\" must be pinned by digest (…@sha256:<digest>): a release changes every environment to the same bytes"))
            }
            addons = decoded
        }
        let cohorts = reader.cohorts(spec["cohorts"])
        let verification = reader.bounded(spec["verificationMinutes"], "spec.verificationMinutes", 1...1440, what: "minutes") ?? 10
        let paused = reader.bool(spec["paused"], "spec.paused") ?? false
        guard reader.errors.isEmpty, let image else {
            let count = reader.errors.count == 1 ? "1 invalid field" : "\(reader.errors.count) invalid fields"
            throw OdooPlanError.invalidRelease("OdooRelease \(name.isEmpty ? "(unnamed)" : name): \(count)", fieldErrors: reader.errors)
        }
        var release = OdooRelease(name: name, image: image, addons: addons, cohorts: cohorts, verificationMinutes: Int(verification), paused: paused)
        release.uid = metadata?["uid"]?.stringValue
        release.generation = metadata?["generation"]?.intValue
        release.created = metadata?["creationTimestamp"]?.stringValue.flatMap(Timestamp.parse)
        return release
    }
}

extension FieldReader {
    /// An image reference that parses and is pinned by digest.
    mutating func pinnedImage(_ value: JSONValue?, _ path: FieldPath, required: Bool = false) -> String? {
        guard let text = string(value, path, required: required) else { return nil }
        do {
            let reference = try ImageReference(parsing: text)
            guard reference.digest != nil else {
                errors.append(.invalid(path, "\"\(text)\" must be pinned by digest (…@sha256:<digest>): a release changes every environment to the same bytes"))
                return nil
            }
            return text
        } catch {
            errors.append(.invalid(path, "\"\(text)\": \(error.message)"))
            return nil
        }
    }

    /// `spec.cohorts`: 1 to ``OdooRelease/maximumCohorts`` cohorts with unique names.
    mutating func cohorts(_ value: JSONValue?) -> [OdooRelease.Cohort] {
        let base: FieldPath = "spec.cohorts"
        guard case .array(let items)? = value, (1...OdooRelease.maximumCohorts).contains(items.count) else {
            if value == nil || value?.isNull == true {
                errors.append(.required(base, "needs at least one cohort: {name, selector}, such as canary, wave-1, rest"))
            } else {
                errors.append(.invalid(base, "must be a list of 1 to \(OdooRelease.maximumCohorts) cohorts ({name, selector, maxConcurrent, failureBudget, soakMinutes})"))
            }
            return []
        }
        var result: [OdooRelease.Cohort] = []
        for (index, item) in items.enumerated() {
            let path = base / index
            guard let object = object(item, path, required: true) else { continue }
            unknownKeys(object, allowed: ["name", "selector", "maxConcurrent", "failureBudget", "soakMinutes"], path)
            let name = string(object["name"], path / "name", required: true)
            if let name, !OdooEnvironment.isEnvironmentName(name) {
                errors.append(.invalid(path / "name", "\"\(name)\" must be a DNS label starting with a letter, such as canary or wave-1"))
            } else if let name, result.contains(where: { $0.name == name }) {
                errors.append(.invalid(path / "name", "\"\(name)\" is listed twice"))
            }
            if object["selector"] == nil || object["selector"]?.isNull == true {
                errors.append(.required(path / "selector", "is required: a label selector over OdooEnvironments ({} picks every environment no earlier cohort picked)"))
            }
            let selector = self.selector(object["selector"], path / "selector")
            let concurrent = bounded(object["maxConcurrent"], path / "maxConcurrent", 1...100, what: "environments") ?? 1
            let budget = bounded(object["failureBudget"], path / "failureBudget", 0...100, what: "environments") ?? 0
            let soak = bounded(object["soakMinutes"], path / "soakMinutes", 0...10_080, what: "minutes") ?? 60
            guard let name, let selector else { continue }
            result.append(OdooRelease.Cohort(name: name, selector: selector, maxConcurrent: Int(concurrent), failureBudget: Int(budget), soakMinutes: Int(soak)))
        }
        return result
    }
}
