/**
 * `npm run destroy -- <env>`: tears an environment down in one command (README "Tearing down an
 * environment"). The steps, with injected runners so the emulator tests drive real Terraform:
 *   1. refuse a protected environment (below)      2. synth, init
 *   3. destroy plan with plan-time look-ups off, through the review gate (lib/plan-review.ts)
 *   4. confirm (or --yes)   5. empty the ECR repositories config does not force-delete
 *   6. apply the saved destroy plan   7. report what is left and what it costs
 *
 * Protection: an environment whose config keeps data on destroy (any `teardown` setting at its
 * protective default) is destroyed only when `--allow-protected <env>` names it AND its config
 * no longer protects anything (deletion protection and `preventDestroy` lifted and deployed).
 */
import type { EnvironmentConfig } from "../../config/schema";
import { parsePlan, reviewPlan, toText, type ReviewablePlan } from "../plan-review";

export class DestroyRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DestroyRefused";
  }
}

/** Settings that make AWS or Terraform refuse the destroy, as `setting: value` strings. */
export function protections(config: EnvironmentConfig): string[] {
  const on: [string, boolean][] = [
    ["database.deletionProtection", config.database.deletionProtection],
    ["database.preventDestroy", config.database.preventDestroy],
    ["uploads.preventDestroy", config.uploads.preventDestroy],
    ["registry.preventDestroy", config.registry.preventDestroy],
    ["loadBalancer.deletionProtection", config.loadBalancer.deletionProtection],
  ];
  return on.filter(([, value]) => value).map(([name]) => `${name}: true`);
}

/** True when a destroy of this environment keeps data (secrets restorable, images or objects not force-deleted): it needs the explicit flag. */
export function keepsDataOnDestroy(config: EnvironmentConfig): boolean {
  const t = config.teardown;
  return t.secretRecoveryWindowDays > 0 || !t.forceDeleteImages || !t.forceDestroyBuckets;
}

/** Throws DestroyRefused unless this environment may be destroyed with these flags. */
export function checkMayDestroy(config: EnvironmentConfig, allowProtected: string | undefined): void {
  const file = `config/${config.name}.ts`;
  const locked = protections(config);
  if (keepsDataOnDestroy(config) && allowProtected !== config.name) {
    throw new DestroyRefused(
      `"${config.name}" is a protected environment (its teardown settings keep data on destroy). ` +
        `To destroy it anyway: lift its protection in ${file}${locked.length ? ` (${locked.join(", ")})` : ""}, deploy that, then run with --allow-protected ${config.name}.`,
    );
  }
  if (locked.length) {
    throw new DestroyRefused(`"${config.name}" still protects its data in ${file}: ${locked.join(", ")}. Set them to false, deploy, then destroy.`);
  }
}

/** `-var verify_<x>=false` for every plan-time look-up of the stack: a destroy must not depend on them. */
export function lookupsOff(variables: readonly string[]): string[] {
  return variables.filter((name) => name.startsWith("verify_")).map((name) => `-var=${name}=false`);
}

/** What survives the destroy, from config: each line says what it is and what it costs. */
export function whatIsLeft(config: EnvironmentConfig, plan: ReviewablePlan): string[] {
  const left: string[] = [];
  for (const change of plan.resource_changes ?? []) {
    const before = (change.change as { before?: Record<string, unknown> | null }).before;
    if (change.type === "aws_db_instance" && before && before.skip_final_snapshot === false && before.final_snapshot_identifier) {
      left.push(`final DB snapshot "${before.final_snapshot_identifier}" in ${config.region} (billed per GiB-month until you delete it: aws rds delete-db-snapshot --db-snapshot-identifier ${before.final_snapshot_identifier})`);
    }
    if (change.type === "aws_ecs_task_definition" && before && before.skip_destroy === true) {
      left.push(`task definition revisions of "${before.family}" stay registered (skip_destroy keeps them for a manual rollback; no cost; a rebuild continues their numbering; remove one with aws ecs deregister-task-definition --task-definition ${before.family}:<revision>)`);
    }
    if (change.type === "aws_secretsmanager_secret" && before && Number(before.recovery_window_in_days) > 0) {
      left.push(`secret "${before.name}" scheduled for deletion in ${before.recovery_window_in_days} days (restorable until then; its name stays reserved)`);
    }
  }
  return left;
}

export interface DestroyOptions {
  readonly config: EnvironmentConfig;
  /** `cdktf.out/stacks/<env>`. */
  readonly stackDir: string;
  readonly allowProtected?: string;
  /** Skip the confirmation prompt. */
  readonly yes: boolean;
}

export interface DestroyDeps {
  /** `cdktf synth` (or nothing, when the caller synthesized). */
  readonly synth: () => Promise<void>;
  /** Runs terraform with args in the stack directory and returns its stdout; rejects on failure. */
  readonly terraform: (args: readonly string[]) => Promise<string>;
  /** The stack's Terraform variable names. */
  readonly variables: () => readonly string[];
  /** Asks the user to type the environment's name; resolves true when they did. */
  readonly confirm: (question: string, expected: string) => Promise<boolean>;
  /** Deletes every image of a repository (only for repositories config does not force-delete). */
  readonly emptyRepository: (name: string) => Promise<number>;
  readonly log: (line: string) => void;
}

export interface DestroyResult {
  readonly destroyed: number;
  readonly left: readonly string[];
}

export async function destroyEnvironment(options: DestroyOptions, deps: DestroyDeps): Promise<DestroyResult | undefined> {
  const { config } = options;
  checkMayDestroy(config, options.allowProtected);
  deps.log(`[1/5] Synthesizing "${config.name}"`);
  await deps.synth();
  deps.log(`[2/5] Destroy plan (plan-time look-ups off)`);
  await deps.terraform(["init", "-input=false", "-no-color"]);
  await deps.terraform(["plan", "-destroy", "-input=false", "-no-color", "-out=destroy.tfplan", ...lookupsOff(deps.variables())]);
  const plan = parsePlan(JSON.parse(await deps.terraform(["show", "-json", "destroy.tfplan"])));
  // The gate lists every stateful resource a destroy takes; taking them is the point, so all are named as allowed.
  const stateful = reviewPlan(plan).blocking.map((c) => c.address);
  const review = reviewPlan(plan, { allow: [...new Set(stateful)] });
  deps.log(toText(review, { title: `Destroy plan for ${config.name}` }));
  const destroyed = review.counts.destroy;
  if (destroyed === 0) {
    deps.log(`Nothing to destroy in "${config.name}".`);
    return { destroyed: 0, left: [] };
  }
  deps.log(`[3/5] Confirmation`);
  if (!options.yes && !(await deps.confirm(`Destroy ${destroyed} resources of "${config.name}"? Type the environment name to confirm: `, config.name))) {
    deps.log("Not confirmed: nothing was destroyed.");
    return undefined;
  }
  deps.log(`[4/5] Emptying what the destroy cannot take`);
  if (!config.teardown.forceDeleteImages) {
    for (const change of plan.resource_changes ?? []) {
      const before = (change.change as { before?: Record<string, unknown> | null }).before;
      if (change.type === "aws_ecr_repository" && before?.name) deps.log(`  ${before.name}: ${await deps.emptyRepository(String(before.name))} images deleted`);
    }
  }
  deps.log(`[5/5] Destroying`);
  await deps.terraform(["apply", "-input=false", "-no-color", "destroy.tfplan"]);
  const left = whatIsLeft(config, plan);
  deps.log(`Destroyed ${destroyed} resources of "${config.name}".${left.length ? " Left on purpose:" : " Nothing is left."}`);
  for (const line of left) deps.log(`  - ${line}`);
  return { destroyed, left };
}
