import Foundation
import KubeModel

/// When a GuardException or a ChangeApproval stops applying: `spec.expiresAt` (an RFC 3339 time), or
/// `spec.expiresIn` (a duration such as `30d`, `72h` or `1d12h`) counted from the object's creation.
///
/// The mutating webhook turns `expiresIn` into `expiresAt` when the object is created
/// (``RuleID/expiryStamp``), so the stored object says when it ends; an object read before it exists
/// in a cluster (an input of `guardctl check`) counts from the time of the check. A duration keeps an
/// example or a template valid whatever the day it is applied.
enum Expiry {
    /// The longest duration `expiresIn` takes: ten years, the most any policy cap allows.
    static let maximumSeconds: Int64 = 3_650 * 86_400

    /// The seconds of a duration of days, hours and minutes (`30d`, `72h`, `1d12h30m`), in that
    /// order, each once; `nil` for anything else, zero, or past ``maximumSeconds``.
    static func seconds(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 24 else { return nil }
        var total: Int64 = 0
        var digits: Int64 = 0
        var hasDigits = false
        var allowed: [Character] = ["d", "h", "m"]
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                digits = digits * 10 + Int64(digit)
                hasDigits = true
                guard digits <= maximumSeconds else { return nil }
            } else if let index = allowed.firstIndex(of: character), hasDigits {
                let unit: Int64 = character == "d" ? 86_400 : character == "h" ? 3_600 : 60
                total += digits * unit
                guard total <= maximumSeconds else { return nil }
                allowed.removeFirst(index + 1)
                digits = 0
                hasDigits = false
            } else {
                return nil
            }
        }
        return hasDigits || total == 0 ? nil : total
    }

    static let atPath = FieldPath([.key("spec"), .key("expiresAt")])
    static let inPath = FieldPath([.key("spec"), .key("expiresIn")])

    /// Mutation: a new GuardException's or ChangeApproval's `spec.expiresIn`, or one an update
    /// changes, becomes `spec.expiresAt` counted from the request's time.
    static func stamp(_ input: RuleInput, to document: inout JSONValue) -> Bool {
        let object = input.object
        guard object.apiVersion == ApprovalRules.apiVersion, object.kind == ApprovalRules.kind || object.kind == GuardException.kind,
              let text = document[path: inPath]?.stringValue, let seconds = seconds(text) else { return false }
        switch input.request.operation {
        case .create: break
        case .update where input.oldObject?.raw[path: inPath]?.stringValue != text: break
        default: return false
        }
        let value = JSONValue.string(Timestamp.format(input.context.now.addingTimeInterval(Double(seconds))))
        guard document[path: atPath] != value else { return false }
        return document.set(value, at: atPath)
    }
}

extension FieldReader {
    /// The expiry of a GuardException's or ChangeApproval's `spec` (see ``Expiry``): `expiresAt`
    /// when set, else `expiresIn` from `metadata.creationTimestamp` (from `now` before creation).
    /// `Date.distantPast`, with the field errors recorded, when neither reads.
    mutating func expiry(_ spec: JSONObject, object: KubeObject, now: Date, _ path: FieldPath) -> Date {
        var duration: Int64?
        if let text = string(spec["expiresIn"], path / "expiresIn") {
            duration = Expiry.seconds(text)
            if duration == nil {
                errors.append(.invalid(path / "expiresIn", "\"\(text.echoed())\" must be a duration of days, hours and minutes such as 30d, 72h or 1d12h, at most 3650d"))
            }
        }
        if let text = string(spec["expiresAt"], path / "expiresAt"), !text.isEmpty {
            if let date = Timestamp.parse(text) { return date }
            errors.append(.invalid(path / "expiresAt", "must be an RFC 3339 time such as 2036-12-31T23:59:59Z"))
            return .distantPast
        }
        if spec["expiresIn"] == nil && spec["expiresAt"] == nil {
            errors.append(.required(path / "expiresAt", "set expiresAt (an RFC 3339 time) or expiresIn (a duration such as 30d)"))
        }
        guard let duration else { return .distantPast }
        let created = object.raw["metadata"]?["creationTimestamp"]?.stringValue.flatMap(Timestamp.parse) ?? now
        return created.addingTimeInterval(Double(duration))
    }
}
