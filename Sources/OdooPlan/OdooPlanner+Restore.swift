import GuardRules
import KubeModel

extension OdooPlanner {
    /// The Job of an OdooRestore's `step` in `target`'s namespace, labelled with the restore.
    /// - Throws: ``OdooPlanError`` when the target's tier is not configured or its plan is refused,
    ///   or the step needs what is missing (a source for a fetch, masking SQL for the mask).
    /// - Parameter placement: the policy's node pools (the Job goes to the jobs pool).
    public func restoreJob(_ step: RestoreStatus.Step, name: String, restore: OdooRestore, target: OdooEnvironment, source: OdooEnvironment?,
                           masking: DataMaskingPolicy, placement: PlacementPolicy = PlacementPolicy()) throws(OdooPlanError) -> JSONValue {
        guard let tier = configuration.tiers[target.tier] else {
            throw OdooPlanError.exceedsTier("the operator configuration has no \(target.tier.rawValue) tier")
        }
        let resources = try containerResources(target, tier)
        let conf = OdooConfFile(environment: target, cpu: resources.limits["cpu"] ?? resources.requests["cpu"], memoryLimit: resources.limits["memory"])
        let image = imageSource(target)
        var context = PlanContext(environment: target, configuration: configuration, tier: tier, names: target.childNames, image: image,
                                  version: target.version, resources: resources, conf: conf)
        context.placement = placement
        switch step {
        case .verify, .restore:
            guard let source else { throw OdooPlanError.invalidEnvironment("the source environment \(restore.source.namespace)/\(restore.source.environment) is not known") }
            return context.placed(step == .verify
                ? context.restoreVerifyJob(name: name, restore: restore.name, source: source, stamp: restore.source.backup)
                : context.restoreApplyJob(name: name, restore: restore.name, source: source, stamp: restore.source.backup))
        case .upgrade:
            return context.placed(PlanContext.labelled(context.upgradeJob(name: name, updateAll: true), restore: restore.name))
        case .neutralize:
            return context.placed(context.restoreNeutralizeJob(name: name, restore: restore.name))
        case .mask:
            guard let sql = MaskingScript.sql(masking) else {
                throw OdooPlanError.invalidEnvironment("the GuardPolicy's spec.dataMasking is off: there is no masking to run")
            }
            return context.placed(context.restoreMaskJob(name: name, restore: restore.name, sql: sql))
        case .stop, .start:
            throw OdooPlanError.invalidEnvironment("step \(step.rawValue) runs no Job")
        }
    }
}
