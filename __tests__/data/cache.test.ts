/**
 * The optional cache (issue 14): a Valkey / Redis OSS replication group in the isolated subnets,
 * TLS and at-rest encryption, AUTH token in Secrets Manager (never in Terraform), reachable from the
 * backend only, wired into the Laravel and Rails presets, held to the ElastiCache guardrails.
 */
import { ConfigError, loadEnvironment, type EnvironmentInput } from "../../config";
import { isGuardrailFailure } from "../../constructs/rules";
import { buildStacks, environmentOf, fullSynth, messageOf, policyDocument, production, resourceList, resources, staging, synthEnvironment, taskDefinition } from "../helpers";

const HA_CACHE = { nodeType: "cache.t4g.small", nodes: 2, automaticFailover: true, multiAz: true, snapshotRetentionDays: 7 };
const withCache = (input: EnvironmentInput, cache: EnvironmentInput["cache"]): EnvironmentInput => ({ ...input, cache });
// A Rails backend with a Sidekiq worker (Rails has no default worker command or scheduled job).
const railsBackend = (input: EnvironmentInput): EnvironmentInput => ({
  ...input,
  workers: { default: { command: ["bundle", "exec", "sidekiq"] } },
  scheduledJobs: {},
  services: { ...input.services, backend: { ...input.services.backend, framework: "rails" } },
});

const laravel = synthEnvironment(withCache(production, HA_CACHE));
const rails = synthEnvironment(railsBackend(withCache(staging, { nodeType: "cache.t4g.micro" })));

describe("GIVEN no cache in config", () => {
  test("THEN the shipped environments have no ElastiCache resource and no REDIS_ variable", () => {
    const { json } = synthEnvironment(production);
    expect(Object.keys(json.resource ?? {}).filter((t) => t.startsWith("aws_elasticache"))).toEqual([]);
    const [backend] = taskDefinition(json, "webapp-production-backend").containers;
    expect(Object.keys(environmentOf(backend)).filter((n) => n.startsWith("REDIS"))).toEqual([]);
  });
});

describe("GIVEN a production cache with two nodes", () => {
  const { json, text } = laravel;

  test("THEN one replication group: Valkey 8.0, TLS required, encrypted at rest, failover across zones, snapshots, windows", () => {
    const [group] = resourceList(json, "aws_elasticache_replication_group");
    expect(group).toMatchObject({
      replication_group_id: "webapp-production-cache",
      engine: "valkey",
      engine_version: "8.0",
      node_type: "cache.t4g.small",
      port: 6379,
      num_cache_clusters: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      at_rest_encryption_enabled: "true",
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
      auto_minor_version_upgrade: "true",
      snapshot_retention_limit: 7,
      snapshot_window: "03:00-04:00",
      maintenance_window: "sun:05:00-sun:06:00",
      apply_immediately: false,
      lifecycle: { ignore_changes: ["final_snapshot_identifier"] },
    });
    expect(group.final_snapshot_identifier).toMatch(/^webapp-production-cache-final-\$\{formatdate\("YYYYMMDDhhmmss", timestamp\(\)\)\}$/);
    expect(group.subnet_group_name).toMatch(/^\$\{aws_elasticache_subnet_group\.cache_subnet-group_[A-F0-9]+\.name\}$/);
  });

  test("THEN the subnet group holds the isolated subnets, not the private ones", () => {
    const [subnets] = resourceList(json, "aws_elasticache_subnet_group");
    const ids = subnets.subnet_ids as string[];
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(/^\$\{aws_subnet\.network_isolated-/);
  });

  test("THEN no AUTH token is in the configuration (so none can reach the state); the secret is created empty", () => {
    expect(text).not.toMatch(/"auth_token(_update_strategy)?":/);
    expect(Object.keys(resourceList(json, "aws_elasticache_replication_group")[0])).not.toContain("auth_token");
    const secret = resourceList(json, "aws_secretsmanager_secret").find((s) => s.name === "webapp/production/cache/auth-token");
    expect(secret).toMatchObject({ recovery_window_in_days: 30 });
    expect(resourceList(json, "aws_secretsmanager_secret_version").filter((v) => JSON.stringify(v).includes("cache"))).toEqual([]);
  });

  test("THEN only the backend reaches port 6379 of the cache, and the backend may send there", () => {
    const cacheSg = Object.entries(resources(json, "aws_security_group")).find(([, sg]) => sg.name === "webapp-production-cache")!;
    expect(cacheSg[1].description).toBe("Cache of webapp-production: 6379 from the backend and workers only");
    const sgRef = `\${aws_security_group.${cacheSg[0]}.id}`;
    const ingress = resourceList(json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === sgRef);
    expect(ingress).toEqual([expect.objectContaining({ referenced_security_group_id: expect.stringMatching(/backend-service_security-group/), from_port: 6379, to_port: 6379, ip_protocol: "tcp" })]);
    const egress = resourceList(json, "aws_vpc_security_group_egress_rule").filter((r) => r.referenced_security_group_id === sgRef);
    expect(egress).toEqual([expect.objectContaining({ security_group_id: expect.stringMatching(/backend-service_security-group/), from_port: 6379 })]);
  });

  test("THEN a worker of the backend reaches the cache too, on its own security group", () => {
    const [cacheSg] = Object.entries(resources(rails.json, "aws_security_group")).find(([, sg]) => String(sg.name).endsWith("-cache"))!;
    const ingress = resourceList(rails.json, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === `\${aws_security_group.${cacheSg}.id}`);
    expect(ingress.map((r) => String(r.referenced_security_group_id).replace(/_[A-F0-9]+\.id\}$/, "")).sort()).toEqual([
      "${aws_security_group.backend-service_security-group",
      "${aws_security_group.worker-default_security-group",
    ]);
    const [worker] = taskDefinition(rails.json, "webapp-staging-worker-default").containers;
    expect(worker.secrets.map((s) => s.name)).toContain("REDIS_PASSWORD");
  });

  test("THEN Laravel gets REDIS_HOST/PORT/SCHEME=tls, cache and sessions in redis, and REDIS_PASSWORD only as a secret", () => {
    const [backend] = taskDefinition(json, "webapp-production-backend").containers;
    const env = environmentOf(backend);
    expect(env).toMatchObject({ REDIS_PORT: "6379", REDIS_SCHEME: "tls", CACHE_STORE: "redis", SESSION_DRIVER: "redis" });
    expect(env.REDIS_HOST).toMatch(/^\$\{aws_elasticache_replication_group\.cache_replication-group_[A-F0-9]+\.primary_endpoint_address\}$/);
    expect(env.REDIS_PASSWORD).toBeUndefined();
    expect(backend.secrets).toContainEqual({ name: "REDIS_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/production/cache/auth-token" });
    // The migration task runs the same settings.
    expect(taskDefinition(json, "webapp-production-backend-migrate").containers[0].secrets).toContainEqual(expect.objectContaining({ name: "REDIS_PASSWORD" }));
    const [frontend] = taskDefinition(json, "webapp-production-frontend").containers;
    expect(Object.keys(environmentOf(frontend)).filter((n) => n.startsWith("REDIS"))).toEqual([]);
  });

  test("THEN the backend's execution role may read the token's secret, and the backend waits for the secret to exist", () => {
    const read = policyDocument(json, "backend-service_execution-role-permissions").statement.find((s) => s.sid === "ReadSecrets");
    expect(read?.resources).toContain("arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/production/cache/auth-token-??????");
    const service = resourceList(json, "aws_ecs_service").find((s) => s.name === "webapp-production-backend")!;
    expect(service.depends_on).toContainEqual(expect.stringMatching(/^aws_secretsmanager_secret\.cache_auth-token_/));
  });

  test("THEN the endpoint and the secret's name are outputs", () => {
    expect(json.output?.cache_auth_token_secret_name.value).toBe("webapp/production/cache/auth-token");
    expect(String(json.output?.cache_endpoint.value)).toContain("primary_endpoint_address");
  });

  test("THEN production with the cache passes every guardrail without a new waiver", () => {
    expect(() => fullSynth(buildStacks([withCache(production, HA_CACHE)]).environments[0])).not.toThrow();
  });
});

describe("GIVEN a Rails backend with a cache", () => {
  test("THEN REDIS_URL is rediss:// (TLS) without credentials, and the password is the REDIS_PASSWORD secret", () => {
    const [backend] = taskDefinition(rails.json, "webapp-staging-backend").containers;
    const env = environmentOf(backend);
    expect(env.REDIS_URL).toMatch(/^rediss:\/\/\$\{aws_elasticache_replication_group\.cache_replication-group_[A-F0-9]+\.primary_endpoint_address\}:6379$/);
    expect(env.REDIS_URL).not.toContain("@");
    expect(backend.secrets).toContainEqual({ name: "REDIS_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/cache/auth-token" });
    expect(env.CACHE_STORE).toBeUndefined();
  });

  test("THEN Redis OSS 7.1 is the default version of engine redis", () => {
    const { json } = synthEnvironment(withCache(staging, { engine: "redis", nodeType: "cache.t4g.micro" }));
    expect(resourceList(json, "aws_elasticache_replication_group")[0]).toMatchObject({ engine: "redis", engine_version: "7.1" });
  });
});

describe("guardrails", () => {
  test("a single-node production cache without snapshots fails synth with ElastiCache.1 and ElastiCache.3, naming the fix", () => {
    let error: unknown;
    try {
      fullSynth(buildStacks([withCache(production, { nodeType: "cache.t4g.micro" })]).environments[0]);
    } catch (e) {
      error = e;
    }
    expect(isGuardrailFailure(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain("[production/cache/replication-group] [ElastiCache.1] caches take daily snapshots: snapshot_retention_limit is 0. Fix: set cache.snapshotRetentionDays to 1 or more.");
    expect(message).toContain("[ElastiCache.3] caches fail over to a replica automatically, in another zone: automatic_failover_enabled is false, multi_az_enabled is false");
  });

  test("production without a final snapshot of the cache fails ENV.2", () => {
    expect(() => fullSynth(buildStacks([withCache(production, { ...HA_CACHE, finalSnapshot: false })]).environments[0])).toThrow(/\[production\/cache\/replication-group\] \[ENV\.2\]/);
  });

  test("staging may run one node with written waivers", () => {
    const waivers = [
      ...(staging.guardrails?.waivers ?? []),
      { rule: "ElastiCache.1", resource: "cache", reason: "staging: the cache holds nothing that must survive a restart" },
      { rule: "ElastiCache.3", resource: "cache", reason: "staging: one cache node for cost; production fails over across zones" },
      { rule: "ENV.2", resource: "cache", reason: "staging: the cache is rebuilt empty with the environment" },
    ];
    const input = { ...withCache(staging, { nodeType: "cache.t4g.micro", finalSnapshot: false }), guardrails: { waivers } };
    const json = fullSynth(buildStacks([input]).environments[0]);
    expect(((json as any)["//"].guardrail_waivers as { rule: string; resource: string }[]).filter((w) => w.resource.startsWith("cache")).map((w) => w.rule).sort()).toEqual(["ENV.2", "ENV.6", "ElastiCache.1", "ElastiCache.3"]);
  });
});

describe("bad cache settings fail at load, naming environment, setting, value and what is allowed", () => {
  const errorOf = (cache: unknown) => messageOf(() => loadEnvironment({ ...staging, cache } as EnvironmentInput), ConfigError);

  test("failover without a replica, Multi-AZ without failover", () => {
    expect(errorOf({ nodeType: "cache.t4g.micro", automaticFailover: true })).toContain('Invalid configuration for environment "staging"');
    expect(errorOf({ nodeType: "cache.t4g.micro", automaticFailover: true })).toContain("cache.automaticFailover: got true; needs a replica to fail over to: set nodes to 2 or more (nodes is 1)");
    expect(errorOf({ nodeType: "cache.t4g.micro", nodes: 2, multiAz: true })).toContain("cache.multiAz: got true; needs automaticFailover: true");
  });

  test("an unknown engine version, node type or window", () => {
    expect(errorOf({ nodeType: "cache.t4g.micro", engineVersion: "6.2" })).toContain('cache.engineVersion: got "6.2"; is not a valkey version this platform runs; allowed: 7.2, 8.0, 8.1');
    expect(errorOf({ nodeType: "t4g.micro" })).toContain('cache.nodeType: got "t4g.micro"; must be a cache node type such as cache.t4g.micro');
    expect(errorOf({ nodeType: "cache.t4g.micro", maintenanceWindow: "sunday 5am" })).toContain('cache.maintenanceWindow: got "sunday 5am"; must be a UTC window such as "sun:05:00-sun:06:00"');
    expect(errorOf({ nodeType: "cache.t4g.micro", engine: "memcached" })).toContain('cache.engine: got "memcached"; must be valkey or redis');
  });
});
