/**
 * Names of the delivery identities, shared by the bootstrap stack (which creates them), the
 * environment stacks (whose roles carry the boundary) and the deploy role (which may only create
 * roles that carry it). Plain functions of config values: no construct, no config import.
 */
import { checkName, Naming } from "../core/naming";
import { partitionOf } from "../core/partition";

/** Suffix of the state lock object Terraform writes next to the state with `use_lockfile`. */
export const LOCK_SUFFIX = ".tflock";

/** `<project>-<env>-github-deploy`: the role GitHub Actions assumes to deploy one environment. */
export function deployRoleName(project: string, environment: string): string {
  return new Naming(project, environment).name("iamRole", "github-deploy");
}

/** `<project>-github-plan`: the read-only role of pull-request plans and drift detection. */
export function planRoleName(project: string): string {
  return checkName("iamRole", `${project}-github-plan`);
}

/** `<project>-<env>-workload-boundary`: the permissions boundary every role of the environment carries. */
export function workloadBoundaryName(project: string, environment: string): string {
  return checkName("iamPolicy", `${project}-${environment}-workload-boundary`);
}

/** ARN of the environment's permissions boundary, computed from config so plans stay known. */
export function workloadBoundaryArn(project: string, environment: string, region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:iam::${accountId}:policy/${workloadBoundaryName(project, environment)}`;
}
