/**
 * A local gateway in front of moto for the services where moto 5.2 lacks an API the AWS provider
 * calls. moto answers an action it does not implement with HTTP 500 and an HTML page; the provider's
 * AWS SDK retries a 500 up to 25 times with backoff, so the resource stays "Still creating..." for
 * minutes and then fails. The gateway answers exactly the calls listed in {@link GATEWAY_ANSWERS}
 * (each with its reason), corrects the answers listed in {@link GATEWAY_CORRECTIONS}, and passes
 * every other request to moto unchanged. A 500 from moto on any
 * other call is turned into a 400 naming the action, so a new gap fails the apply at once and says
 * what is missing instead of retrying.
 *
 * Only the Application Auto Scaling, CloudWatch Logs, ECS, RDS, Secrets Manager, Step Functions and SQS endpoints go through it
 * (`lib/emulator/stack.ts`). It is a stand-in for missing emulator APIs, never a model of AWS.
 */
import { randomUUID } from "node:crypto";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { definitionProblems } from "../offline-stepfunctions";

/** The calls the gateway answers itself instead of moto, and why. */
export const GATEWAY_ANSWERS: Readonly<Record<string, string>> = {
  "AWSStepFunctions.ValidateStateMachineDefinition":
    "moto has no ValidateStateMachineDefinition; the provider calls it at plan time for every known definition (answered by the structural check of lib/offline-stepfunctions.ts)",
  "AWSStepFunctions.ListStateMachineVersions":
    "moto has no ListStateMachineVersions; the provider calls it on every read of aws_sfn_state_machine (answered: no versions, the stacks never publish one)",
  "Logs_20140328.PutQueryDefinition": "moto has no saved Logs Insights queries (aws_cloudwatch_query_definition); kept in the gateway's memory",
  "Logs_20140328.DescribeQueryDefinitions": "moto has no saved Logs Insights queries; listed from the gateway's memory",
  "Logs_20140328.DeleteQueryDefinition": "moto has no saved Logs Insights queries; deleted from the gateway's memory",
  "AnyScaleFrontendService.ListTagsForResource":
    "moto has no tags on Application Auto Scaling targets; the provider reads them after every create and refresh of aws_appautoscaling_target (answered from the tags sent at RegisterScalableTarget or TagResource)",
  "AnyScaleFrontendService.TagResource": "moto has no tags on Application Auto Scaling targets; kept in the gateway's memory",
  "AnyScaleFrontendService.UntagResource": "moto has no tags on Application Auto Scaling targets; removed from the gateway's memory",
};

/**
 * Calls passed to moto whose refusal the gateway replaces, and why: moto's CancelRotateSecret demands a
 * rotation Lambda even for a secret RDS rotates itself (the `rds!` master user secret, managed rotation,
 * which has no Lambda), so `aws_secretsmanager_secret_rotation` could never be destroyed there.
 */
export const GATEWAY_CORRECTIONS: Readonly<Record<string, string>> = {
  "rds.DescribeDBInstances":
    "moto has no RDS Extended Support: it drops EngineLifecycleSupport, so every plan set it again and every apply spent 1m20s modifying the instance; the gateway remembers the value sent at create or modify and returns it. " +
    "moto has no current RDS certificate authorities either: a new instance reports `rds-ca-default` where AWS reports its default for new instances, `rds-ca-rsa2048-g1` (the stacks' `ca_cert_identifier`), so the provider modified every new instance and waited 1m20s more for it; the gateway answers AWS's default",
  "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition":
    "moto has no Fargate task sizing: its RunTask adds up container-level memory and fails (HTTP 500) on a container without one, which Fargate allows (the task's memory is the limit); the gateway registers such containers with memoryReservation = the task's memory and removes it again from every task definition moto returns, so Terraform and the deploy see exactly what was sent",
  "AmazonEC2ContainerServiceV20141113.DescribeServices":
    "moto has no capacity provider strategies, ECS Exec, managed tags, AZ rebalancing or health check grace period on services: it ignores them at CreateService and UpdateService and leaves them out of every answer, so the provider planned a replacement of every service after every apply; the gateway remembers what was sent and puts it back into the answers (CreateService, UpdateService, DescribeServices)",
  "AmazonEC2ContainerServiceV20141113.UpdateService":
    "moto has no deployments for a new task definition: UpdateService changes the service's task definition but keeps the old PRIMARY deployment (with the old revision), so a rollout looked rolled back; the gateway answers with a PRIMARY deployment of the service's task definition, completed at once (moto reports every task running at once)",
  "AmazonSQS.GetQueueAttributes":
    "moto has no byte-exact queue policies: it re-serializes a redrive policy with spaces, so the provider saw a change after every apply and updated the queue (25 s of waiting each time), and moto's SetQueueAttributes then dropped the queue's access policy (it resets every attribute not sent); the gateway returns redrive policies as compact JSON, which is how the provider sends them",
  "secretsmanager.CancelRotateSecret":
    "moto has no managed rotation: its CancelRotateSecret refuses a secret without a rotation Lambda, which an RDS-managed (rds!...) secret never has; the gateway accepts it for those secrets",
};

/** The certificate authority moto gives a new DB instance, and the one AWS gives it (since January 2024, in every commercial region). */
const MOTO_DEFAULT_CA = "rds-ca-default";
const AWS_DEFAULT_CA = "rds-ca-rsa2048-g1";

/** Service settings that moto's ECS drops (CreateService / UpdateService request field names, as in the answers). */
const ECS_SERVICE_FIELDS = ["capacityProviderStrategy", "enableExecuteCommand", "enableECSManagedTags", "availabilityZoneRebalancing", "healthCheckGracePeriodSeconds"] as const;

/** The name at the end of an ARN or path (`arn:...:cluster/webapp-staging` -> `webapp-staging`); a plain name unchanged. */
function lastSegment(value: unknown): string {
  return String(value ?? "").split("/").pop() ?? "";
}

interface QueryDefinition {
  queryDefinitionId: string;
  name: string;
  queryString: string;
  logGroupNames?: string[];
  lastModified: number;
}

interface Answer {
  readonly status: number;
  readonly body: object;
}

/** The region a request is signed for (the credential scope of its Authorization header). */
function regionOf(headers: IncomingHttpHeaders): string {
  return /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(headers.authorization ?? ""))?.[1] ?? "us-east-1";
}

function notFound(message: string): Answer {
  return { status: 400, body: { __type: "ResourceNotFoundException", message } };
}

/** The gateway's own state: saved queries per region, the engine lifecycle support of each DB instance. */
export class GatewayState {
  private readonly queries = new Map<string, Map<string, QueryDefinition>>();
  /** `<region>/<DBInstanceIdentifier>` -> EngineLifecycleSupport sent at create or modify. */
  readonly engineLifecycleSupport = new Map<string, string>();

  /** Scalable target ARN -> tags (moto ignores them). */
  readonly scalableTargetTags = new Map<string, Record<string, string>>();

  /** `<region>/<cluster name>/<service name>` -> the service settings moto ignores (ECS_SERVICE_FIELDS), as last sent. */
  readonly serviceFields = new Map<string, Record<string, unknown>>();

  /** `<region>/<cluster>/<service>/<task definition ARN>` -> the id of the deployment the gateway reports for it. */
  readonly deploymentIds = new Map<string, string>();

  /** `<region>/<family>` -> containers registered with a memoryReservation moto needs and the request did not have. */
  readonly addedMemoryReservation = new Map<string, Set<string>>();

  /** Forgets everything (moto was reset or restarted). */
  clear(): void {
    this.addedMemoryReservation.clear();
    this.queries.clear();
    this.scalableTargetTags.clear();
    this.engineLifecycleSupport.clear();
    this.serviceFields.clear();
    this.deploymentIds.clear();
  }

  /** Remembers what an RDS Query-protocol request sets that moto drops. */
  rdsRequest(region: string, params: URLSearchParams): void {
    const id = params.get("DBInstanceIdentifier");
    const action = params.get("Action");
    if (!id) return;
    if (action === "DeleteDBInstance") this.engineLifecycleSupport.delete(`${region}/${id}`);
    const value = params.get("EngineLifecycleSupport");
    if (value && (action === "CreateDBInstance" || action === "ModifyDBInstance")) this.engineLifecycleSupport.set(`${region}/${id}`, value);
  }

  /** RegisterTaskDefinition: gives containers without memory a memoryReservation (moto's RunTask needs one); returns the body to send. */
  registerTaskDefinition(region: string, body: Buffer): Buffer {
    const input = JSON.parse(body.toString("utf8") || "{}") as { family?: string; memory?: string; containerDefinitions?: Record<string, unknown>[] };
    const added = new Set<string>();
    for (const container of input.containerDefinitions ?? []) {
      if (container.memory === undefined && container.memoryReservation === undefined) {
        container.memoryReservation = Number(input.memory) || 512;
        added.add(String(container.name));
      }
    }
    this.addedMemoryReservation.set(`${region}/${input.family}`, added);
    return added.size ? Buffer.from(JSON.stringify(input)) : body;
  }

  /** CreateService, UpdateService, DeleteService: remembers (or forgets) the service settings moto ignores. */
  ecsServiceRequest(region: string, target: string, body: Buffer): void {
    const input = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    const name = lastSegment(input.serviceName ?? input.service);
    const key = `${region}/${lastSegment(input.cluster ?? "default")}/${name}`;
    if (target.endsWith(".DeleteService")) {
      this.serviceFields.delete(key);
      for (const id of this.deploymentIds.keys()) if (id.startsWith(`${key}/`)) this.deploymentIds.delete(id);
      return;
    }
    const sent = Object.fromEntries(ECS_SERVICE_FIELDS.filter((field) => input[field] !== undefined).map((field) => [field, input[field]]));
    this.serviceFields.set(key, { ...this.serviceFields.get(key), ...sent });
  }

  /**
   * An ECS answer as the client should see it: without the memoryReservation the gateway added to a
   * task definition, with the service settings moto left out, and with a deployment of the service's
   * current task definition.
   */
  ecsAnswer(region: string, text: string): string {
    type Service = Record<string, unknown> & { clusterArn?: string; serviceName?: string; taskDefinition?: string; desiredCount?: number; deployments?: unknown[] };
    const answer = JSON.parse(text || "{}") as { taskDefinition?: { family?: string; containerDefinitions?: Record<string, unknown>[] }; service?: Service; services?: Service[] };
    let changed = false;
    const definition = answer.taskDefinition;
    const added = definition && this.addedMemoryReservation.get(`${region}/${definition.family}`);
    for (const container of added?.size ? (definition?.containerDefinitions ?? []) : []) {
      if (added?.has(String(container.name))) {
        delete container.memoryReservation;
        changed = true;
      }
    }
    for (const service of [...(answer.service ? [answer.service] : []), ...(answer.services ?? [])]) {
      const key = `${region}/${lastSegment(service.clusterArn)}/${service.serviceName}`;
      const deployments = (service.deployments ?? []) as Record<string, unknown>[];
      const primary = deployments.find((d) => d.status === "PRIMARY");
      if (primary && service.taskDefinition && primary.taskDefinition !== service.taskDefinition) {
        const id = `${key}/${service.taskDefinition}`;
        if (!this.deploymentIds.has(id)) this.deploymentIds.set(id, `ecs-svc/${randomUUID().replace(/-/g, "").slice(0, 19)}`);
        const desired = service.desiredCount;
        service.deployments = [{ ...primary, id: this.deploymentIds.get(id), taskDefinition: service.taskDefinition, desiredCount: desired, runningCount: desired, pendingCount: 0, failedTasks: 0, rolloutState: "COMPLETED", rolloutStateReason: "ECS deployment completed." }];
        changed = true;
      }
      const fields = this.serviceFields.get(key) ?? {};
      for (const [field, value] of Object.entries(fields)) {
        if (service[field] === undefined) {
          service[field] = value;
          changed = true;
        }
      }
    }
    return changed ? JSON.stringify(answer) : text;
  }

  /** Puts back into an RDS answer (XML) what moto dropped, and AWS's default certificate authority for moto's outdated one. */
  rdsAnswer(region: string, xml: string): string {
    return xml.replaceAll(`<CACertificateIdentifier>${MOTO_DEFAULT_CA}</CACertificateIdentifier>`, `<CACertificateIdentifier>${AWS_DEFAULT_CA}</CACertificateIdentifier>`).replace(/<DBInstance>([\s\S]*?)<\/DBInstance>/g, (whole, inner: string) => {
      const id = /<DBInstanceIdentifier>([^<]+)<\/DBInstanceIdentifier>/.exec(inner)?.[1];
      const value = id && this.engineLifecycleSupport.get(`${region}/${id}`);
      return value && !inner.includes("<EngineLifecycleSupport>") ? `<DBInstance>${inner}<EngineLifecycleSupport>${value}</EngineLifecycleSupport></DBInstance>` : whole;
    });
  }

  /** GetQueueAttributes: redrive policies as the compact JSON the provider sent, not moto's re-serialization. */
  sqsAnswer(text: string): string {
    const answer = JSON.parse(text || "{}") as { Attributes?: Record<string, string> };
    for (const name of ["RedrivePolicy", "RedriveAllowPolicy"]) {
      const value = answer.Attributes?.[name];
      if (value) answer.Attributes![name] = JSON.stringify(JSON.parse(value));
    }
    return JSON.stringify(answer);
  }

  /** Saved queries in `region` (the inventory of what the emulator holds). */
  queryDefinitions(region: string): QueryDefinition[] {
    return [...(this.queries.get(region)?.values() ?? [])];
  }

  answer(target: string, region: string, input: Record<string, any>): Answer | undefined {
    const queries = this.queries.get(region) ?? new Map<string, QueryDefinition>();
    this.queries.set(region, queries);
    switch (target) {
      case "AWSStepFunctions.ValidateStateMachineDefinition": {
        const problems = definitionProblems(String(input.definition ?? ""));
        return {
          status: 200,
          body: { result: problems.length ? "FAIL" : "OK", diagnostics: problems.map((message) => ({ severity: "ERROR", code: "SCHEMA_VALIDATION_FAILED", message })), truncated: false },
        };
      }
      case "AnyScaleFrontendService.ListTagsForResource":
        return { status: 200, body: { Tags: this.scalableTargetTags.get(String(input.ResourceARN)) ?? {} } };
      case "AnyScaleFrontendService.TagResource": {
        const arn = String(input.ResourceARN);
        this.scalableTargetTags.set(arn, { ...this.scalableTargetTags.get(arn), ...(input.Tags as Record<string, string>) });
        return { status: 200, body: {} };
      }
      case "AnyScaleFrontendService.UntagResource": {
        const arn = String(input.ResourceARN);
        const tags = { ...this.scalableTargetTags.get(arn) };
        for (const key of (input.TagKeys as string[]) ?? []) delete tags[key];
        this.scalableTargetTags.set(arn, tags);
        return { status: 200, body: {} };
      }
      case "AWSStepFunctions.ListStateMachineVersions":
        return { status: 200, body: { stateMachineVersions: [] } };
      case "Logs_20140328.PutQueryDefinition": {
        const id = input.queryDefinitionId ? String(input.queryDefinitionId) : randomUUID();
        if (input.queryDefinitionId && !queries.has(id)) return notFound(`query definition ${id} does not exist`);
        queries.set(id, {
          queryDefinitionId: id,
          name: String(input.name),
          queryString: String(input.queryString),
          ...(input.logGroupNames ? { logGroupNames: input.logGroupNames as string[] } : {}),
          lastModified: Date.now(),
        });
        return { status: 200, body: { queryDefinitionId: id } };
      }
      case "Logs_20140328.DescribeQueryDefinitions": {
        const prefix = String(input.queryDefinitionNamePrefix ?? "");
        return { status: 200, body: { queryDefinitions: [...queries.values()].filter((q) => q.name.startsWith(prefix)) } };
      }
      case "Logs_20140328.DeleteQueryDefinition": {
        const id = String(input.queryDefinitionId);
        if (!queries.delete(id)) return notFound(`query definition ${id} does not exist`);
        return { status: 200, body: { success: true } };
      }
      default:
        return undefined;
    }
  }
}

export interface Gateway {
  readonly endpoint: string;
  readonly state: GatewayState;
  close(): Promise<void>;
}

/** Starts a gateway in front of `upstream` (moto's endpoint) on a free loopback port. */
export function startGateway(upstream: string): Promise<Gateway> {
  const state = new GatewayState();
  return new Promise((resolveGateway, reject) => {
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        try {
          const body = Buffer.concat(chunks);
          const target = String(req.headers["x-amz-target"] ?? "");
          let input: Record<string, any> = {};
          try {
            input = target in GATEWAY_ANSWERS ? JSON.parse(body.toString("utf8") || "{}") : {};
          } catch {
            input = {};
          }
          const own = target in GATEWAY_ANSWERS ? state.answer(target, regionOf(req.headers), input) : undefined;
          if (own) {
            res.writeHead(own.status, { "content-type": String(req.headers["content-type"] ?? "application/x-amz-json-1.1") });
            res.end(JSON.stringify(own.body));
            return;
          }
          const region = regionOf(req.headers);
          // RDS speaks the Query protocol (form-encoded Action=...), recognised by its signing scope.
          const rds = /\/rds\/aws4_request/.test(String(req.headers.authorization ?? ""));
          if (rds) state.rdsRequest(region, new URLSearchParams(body.toString("utf8")));
          // As Terraform's HTTP proxy (S3 Control's account-prefixed host), the request line is an absolute URL: keep its path only.
          // (Node's URL parser refuses a host like 123456789012.127.0.0.1, hence the plain string cut.)
          const path = (req.url ?? "/").replace(/^https?:\/\/[^/]+/, "") || "/";
          const ecsAction = target.startsWith("AmazonEC2ContainerServiceV20141113.") ? target.slice("AmazonEC2ContainerServiceV20141113.".length) : "";
          const ecsRewritten = ["RegisterTaskDefinition", "DescribeTaskDefinition", "CreateService", "UpdateService", "DescribeServices"].includes(ecsAction);
          const sent = target === "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition" ? state.registerTaskDefinition(region, body) : body;
          const headers = sent === body ? req.headers : { ...req.headers, "content-length": String(sent.length) };
          const forward = request(new URL(path, upstream), { method: req.method, headers }, (answer) => {
            const status = answer.statusCode ?? 502;
            // Only what moto accepted is remembered.
            if (status === 200 && ["CreateService", "UpdateService", "DeleteService"].includes(ecsAction)) state.ecsServiceRequest(region, target, body);
            if (status >= 500 && target) {
              // moto's answer to an action it does not implement: fail at once, naming it, instead of a retried 500.
              answer.resume();
              res.writeHead(400, { "content-type": String(req.headers["content-type"] ?? "application/x-amz-json-1.1") });
              res.end(JSON.stringify({ __type: "EmulatorGapException", message: `the emulator (moto) failed on ${target} (HTTP ${status}): not implemented there; see lib/emulator/gateway.ts` }));
              return;
            }
            if ((ecsRewritten || target === "AmazonSQS.GetQueueAttributes") && status === 200) {
              const parts: Buffer[] = [];
              answer.on("data", (chunk: Buffer) => parts.push(chunk));
              answer.on("end", () => {
                const received = Buffer.concat(parts).toString("utf8");
                let text = received;
                try {
                  text = ecsRewritten ? state.ecsAnswer(region, received) : state.sqsAnswer(received);
                } catch {
                  // Not the JSON expected: passed on as moto sent it (the client says what is wrong).
                }
                res.writeHead(status, { ...answer.headers, "content-length": String(Buffer.byteLength(text)) });
                res.end(text);
              });
              return;
            }
            if (rds) {
              const parts: Buffer[] = [];
              answer.on("data", (chunk: Buffer) => parts.push(chunk));
              answer.on("end", () => {
                const headers = { ...answer.headers };
                delete headers["content-length"];
                res.writeHead(status, headers);
                res.end(state.rdsAnswer(region, Buffer.concat(parts).toString("utf8")));
              });
              return;
            }
            if (target === "AnyScaleFrontendService.RegisterScalableTarget" && status === 200) {
              // Remember the tags moto ignores, under the ARN it chose.
              const parts: Buffer[] = [];
              answer.on("data", (chunk: Buffer) => parts.push(chunk));
              answer.on("end", () => {
                const text = Buffer.concat(parts).toString("utf8");
                const arn = String(JSON.parse(text || "{}").ScalableTargetARN ?? "");
                const tags = JSON.parse(body.toString("utf8") || "{}").Tags as Record<string, string> | undefined;
                if (arn && tags) state.scalableTargetTags.set(arn, { ...state.scalableTargetTags.get(arn), ...tags });
                res.writeHead(status, { ...answer.headers, "content-length": String(Buffer.byteLength(text)) });
                res.end(text);
              });
              return;
            }
            if (target === "secretsmanager.CancelRotateSecret" && status === 400) {
              const parts: Buffer[] = [];
              answer.on("data", (chunk: Buffer) => parts.push(chunk));
              answer.on("end", () => {
                const text = Buffer.concat(parts).toString("utf8");
                const secretId = String(JSON.parse(body.toString("utf8") || "{}").SecretId ?? "");
                if (/Lambda function ARN/.test(text) && /(^|:secret:)rds!/.test(secretId)) {
                  res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
                  res.end(JSON.stringify({ ARN: secretId, Name: secretId.replace(/^arn:[^:]+:secretsmanager:[^:]+:\d+:secret:/, "").replace(/-[A-Za-z0-9]{6}$/, "") }));
                  return;
                }
                res.writeHead(status, answer.headers);
                res.end(text);
              });
              return;
            }
            res.writeHead(status, answer.headers);
            answer.pipe(res);
          });
          forward.on("error", (error) => {
            res.statusCode = 502;
            res.end(error.message);
          });
          forward.end(sent);
        } catch (error) {
          // Never take the test process down: the request fails, the apply says why.
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(`emulator gateway: ${(error as Error).message}`);
        }
      });
    });
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.unref();
      resolveGateway({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        state,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

const gateways = new Map<string, Promise<Gateway>>();

/** One gateway per moto endpoint for the process (it does not keep the process alive). */
export function gatewayFor(upstream: string): Promise<Gateway> {
  const existing = gateways.get(upstream);
  if (existing) return existing;
  const started = startGateway(upstream);
  gateways.set(upstream, started);
  return started;
}

/** Forgets the gateway's state for `upstream`, when moto was reset or restarted (it forgets too). */
export async function forgetGatewayState(upstream: string): Promise<void> {
  const gateway = gateways.get(upstream);
  if (gateway) (await gateway).state.clear();
}
