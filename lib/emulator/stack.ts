/**
 * Terraform against the emulator: the same synthesized stacks, with an override that points every
 * AWS service the stacks use at `moto_server` and keeps state in a local file. The stack code is
 * untouched (its S3 backend is what `cdktf deploy` uses); the emulator run is a real client of an
 * API that answers like AWS, never proof of AWS behaviour.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { READ_RUNNING_IMAGES_VARIABLE } from "../../constructs/compute/running-images";
import { gatewayFor } from "./gateway";
import { run, terraformEnv, terraformInit, type HarnessOptions, type PlanJson } from "../terraform";

const OVERRIDE_FILE = "zz_emulator_override.tf.json";

/**
 * Provider endpoint keys (provider 5.100) of every service the stacks call, at plan, apply or destroy.
 * A service missing here would go to the real AWS endpoint with fake keys and fail loudly.
 */
export const EMULATED_SERVICES = [
  "acm",
  "cloudwatch",
  "ec2",
  "events",
  "ecr",
  "elb",
  "elbv2",
  "iam",
  "kms",
  "route53",
  "s3",
  "s3control",
  "scheduler",
  "servicediscovery",
  "sesv2",
  "sns",
  "ssm",
  "sts",
  "elasticache",
] as const;

/**
 * The provider endpoint key a resource or data source type calls; undefined for types evaluated
 * inside Terraform (policy documents, the partition, remote state). Longest prefix wins. A type no
 * prefix knows throws: add it here and its service to the endpoints.
 */
const ENDPOINT_PREFIXES: readonly [string, string | undefined][] = [
  ["aws_acm_", "acm"],
  ["aws_appautoscaling_", "applicationautoscaling"],
  ["aws_cloudwatch_event_", "events"],
  ["aws_cloudwatch_log_", "cloudwatchlogs"],
  ["aws_cloudwatch_query_definition", "cloudwatchlogs"],
  ["aws_cloudwatch_", "cloudwatch"],
  ["aws_db_", "rds"],
  ["aws_ecr_", "ecr"],
  ["aws_ecs_", "ecs"],
  ["aws_elasticache_", "elasticache"],
  ["aws_elb_service_account", undefined],
  ["aws_lb", "elbv2"],
  ["aws_iam_policy_document", undefined],
  ["aws_iam_", "iam"],
  ["aws_partition", undefined],
  ["aws_route53_", "route53"],
  ["aws_s3_account_public_access_block", "s3control"],
  ["aws_s3_", "s3"],
  ["aws_scheduler_", "scheduler"],
  ["aws_secretsmanager_", "secretsmanager"],
  ["aws_service_discovery_", "servicediscovery"],
  ["aws_sesv2_", "sesv2"],
  ["aws_sfn_", "sfn"],
  ["aws_sns_", "sns"],
  ["aws_sqs_", "sqs"],
  ["aws_ssm_", "ssm"],
  ["aws_kms_", "kms"],
  ["aws_default_security_group", "ec2"],
  ["aws_eip", "ec2"],
  ["aws_flow_log", "ec2"],
  ["aws_internet_gateway", "ec2"],
  ["aws_nat_gateway", "ec2"],
  ["aws_route", "ec2"],
  ["aws_security_group", "ec2"],
  ["aws_subnet", "ec2"],
  ["aws_vpc", "ec2"],
  ["terraform_remote_state", undefined],
];

export function endpointOf(type: string): string | undefined {
  const match = ENDPOINT_PREFIXES.filter(([prefix]) => type.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0];
  if (!match) throw new Error(`resource type ${type} has no endpoint in lib/emulator/stack.ts (ENDPOINT_PREFIXES): add its service there and to EMULATED_SERVICES`);
  return match[1];
}

/** Services whose endpoint is the gateway in front of moto (`lib/emulator/gateway.ts`): moto lacks calls the provider makes there. */
export const GATEWAY_SERVICES = ["applicationautoscaling", "cloudwatchlogs", "ecs", "rds", "secretsmanager", "sfn", "sqs"] as const;

/**
 * The override: local state, fake keys, every endpoint at the emulator (Application Auto Scaling, Logs, ECS, RDS, Secrets Manager, Step Functions and SQS at
 * its gateway), path-style S3.
 */
export function emulatorOverride(endpoint: string, stateFile = "emulator.tfstate", gatewayEndpoint = endpoint): object {
  return {
    terraform: { backend: { local: { path: stateFile } } },
    provider: {
      aws: {
        access_key: "emulator",
        secret_key: "emulator",
        skip_credentials_validation: true,
        // The provider asks the emulator's STS who it is (moto answers its account): resources that default
        // their account id from the provider (aws_s3_account_public_access_block) need it.
        skip_requesting_account_id: false,
        skip_metadata_api_check: true,
        s3_use_path_style: true,
        // The stacks pin the real account; the emulator answers as its own (config accountId is set to it).
        allowed_account_ids: null,
        // The SDK retries a 5xx up to 25 times with backoff: against an emulator that answers 500 for what it
        // lacks, that is minutes of "Still creating..." per gap. A few retries still ride out a busy machine.
        max_retries: 3,
        endpoints: [
          {
            ...Object.fromEntries(EMULATED_SERVICES.map((service) => [service, endpoint])),
            ...Object.fromEntries(GATEWAY_SERVICES.map((service) => [service, gatewayEndpoint])),
          },
        ],
      },
    },
  };
}

/** One synthesized stack, initialised against the emulator. */
export class EmulatedStack {
  constructor(
    readonly name: string,
    readonly dir: string,
    private readonly options: HarnessOptions,
    /** The gateway in front of the emulator (lib/emulator/gateway.ts), also Terraform's HTTP proxy (see {@link EmulatedStack.env}). */
    readonly gateway?: string,
  ) {}

  /**
   * Terraform's environment. S3 Control puts the account id in front of the endpoint's host
   * (`123456789012.127.0.0.1:<port>`), a name that resolves nowhere; with the gateway as HTTP proxy
   * such requests reach it and it passes them on to moto. Requests to 127.0.0.1 itself never use
   * a proxy (Go's rule for loopback addresses), so every other call goes straight to the emulator.
   */
  env(): NodeJS.ProcessEnv {
    const env = terraformEnv(this.options, this.dir);
    return this.gateway ? { ...env, HTTP_PROXY: this.gateway, http_proxy: this.gateway } : env;
  }

  /** Writes the override and runs `terraform init`. */
  static async init(outdir: string, stack: string, endpoint: string, options: HarnessOptions): Promise<EmulatedStack> {
    const dir = join(outdir, "stacks", stack);
    const gateway = await gatewayFor(endpoint);
    const override = emulatorOverride(endpoint, "emulator.tfstate", gateway.endpoint) as Record<string, unknown>;
    // The running-image look-up reads the environment's S3 state, which lives in the real backend, not here.
    const variables = Object.keys(JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")).variable ?? {});
    if (variables.includes(READ_RUNNING_IMAGES_VARIABLE)) override.variable = { [READ_RUNNING_IMAGES_VARIABLE]: { default: false } };
    writeFileSync(join(dir, OVERRIDE_FILE), JSON.stringify(override, null, 2));
    const result = new EmulatedStack(stack, dir, options, gateway.endpoint);
    await terraformInit(dir, options, terraformEnv(options, dir));
    return result;
  }

  /** Runs terraform with `args` in the stack directory; rejects with its output on a non-zero exit. */
  terraform(args: readonly string[]): Promise<string> {
    return run(this.options.terraformBin ?? "terraform", [...args], this.dir, this.env());
  }

  apply(args: readonly string[] = []): Promise<string> {
    return this.terraform(["apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=20", ...args]);
  }

  /**
   * Starts `terraform apply` and returns at once: the child (to interrupt it) and a promise of its
   * exit code and output. For the fault tests.
   */
  startApply(args: readonly string[] = []): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> } {
    const child = spawn(this.options.terraformBin ?? "terraform", ["apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=20", ...args], {
      cwd: this.dir,
      env: this.env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolveDone) =>
      child.on("exit", (code, signal) => resolveDone({ code, signal, output })),
    );
    return { child, done };
  }

  destroy(args: readonly string[] = []): Promise<string> {
    return this.terraform(["destroy", "-input=false", "-no-color", "-auto-approve", "-parallelism=20", ...args]);
  }

  /** A refreshed plan over the applied state, as JSON. */
  async plan(args: readonly string[] = []): Promise<PlanJson> {
    await this.terraform(["plan", "-input=false", "-no-color", "-parallelism=20", "-out=emulator.tfplan", ...args]);
    return JSON.parse(await this.terraform(["show", "-json", "emulator.tfplan"]));
  }

  /** Addresses of the resources in the state. */
  async stateList(): Promise<string[]> {
    const out = await this.terraform(["state", "list"]).catch((e: Error) => (/No state file/.test(e.message) ? "" : Promise.reject(e)));
    return out.split("\n").filter(Boolean);
  }

  /**
   * `-var verify_<x>=false` for every plan-time look-up: a destroy must not depend on them (the image
   * tag check fails once the repository is emptied or deleted).
   */
  lookupsOff(): string[] {
    return this.variables()
      .filter((name) => name.startsWith("verify_"))
      .map((name) => `-var=${name}=false`);
  }

  /** The stack's variables (from the synthesized JSON). */
  variables(): string[] {
    return Object.keys(JSON.parse(readFileSync(join(this.dir, "cdk.tf.json"), "utf8")).variable ?? {});
  }
}

/** Resource changes of a plan that are not no-ops (read-only data sources excluded). */
export function changesOf(plan: PlanJson): { address: string; actions: string[] }[] {
  return (plan.resource_changes ?? [])
    .filter((c) => c.mode === "managed" && !(c.change.actions.length === 1 && c.change.actions[0] === "no-op"))
    .map((c) => ({ address: c.address, actions: c.change.actions }));
}

/** `-target` arguments for every resource of `type` in the synthesized stack (e.g. the ECR repositories before the first push). */
export function targetsOfType(stack: EmulatedStack, type: string): string[] {
  const resources = JSON.parse(readFileSync(join(stack.dir, "cdk.tf.json"), "utf8")).resource?.[type] ?? {};
  return Object.keys(resources).map((name) => `-target=${type}.${name}`);
}
