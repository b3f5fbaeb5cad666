import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { App } from "cdktf";
import { contextHash, dockerPlatform } from "../../constructs/compute/container-image";
import { ConfigError, type EnvironmentInput } from "../../config";
import { idOf, messageOf, resourceList, staging, synthEnvironment, taskDefinition, type Synth } from "../helpers";

// Fargate Spot does not run ARM64 tasks (the config check refuses the pair).
const buildMode = (arch: "X86_64" | "ARM64" = "X86_64"): EnvironmentInput => ({
  ...staging,
  services: {
    backend: { ...staging.services.backend, cpuArchitecture: arch, fargateSpot: arch === "X86_64", image: { source: "build", context: "examples/backend" }, migrationCommand: ["node", "migrate.js"] },
    frontend: { ...staging.services.frontend, cpuArchitecture: arch, fargateSpot: arch === "X86_64", image: { source: "build", context: "examples/frontend" } },
  },
});

const dockerImages = (json: Synth) => resourceList(json, "docker_image");

describe("build mode: Terraform builds and pushes the image (T1, T6, T12)", () => {
  const { json, stack } = synthEnvironment(buildMode());

  test("the Docker provider pushes to the registry host only, with the Docker client's credentials: no registry credential in Terraform config or state", () => {
    expect((json.provider as any).docker).toEqual([{ registry_auth: [{ address: "111111111111.dkr.ecr.eu-west-1.amazonaws.com" }] }]);
    expect(json.data?.aws_ecr_authorization_token).toBeUndefined();
    expect((json.terraform as any).required_providers.docker).toMatchObject({ source: "kreuzwerker/docker" });
  });

  test("the image is built from the configured context for linux/amd64, tagged with the context hash", () => {
    const backend = dockerImages(json).find((i) => String(i.name).includes("/webapp-staging-backend:"))!;
    const hash = contextHash(join(__dirname, "..", "..", "examples", "backend"));
    expect(backend).toMatchObject({
      name: `111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-backend:src-${hash.slice(0, 16)}`,
      build: { context: expect.any(String), dockerfile: "Dockerfile", platform: "linux/amd64" },
      platform: "linux/amd64",
      triggers: { context_sha256: hash },
    });
    // Relative to where Terraform runs (<outdir>/stacks/<stack>), so the synthesized code is machine-independent.
    const context = (backend.build as { context: string }).context;
    expect(context.startsWith("/")).toBe(false);
    expect(resolve(App.of(stack).outdir, "stacks", "staging", context)).toBe(resolve(__dirname, "..", "..", "examples", "backend"));
  });

  test("ARM64 services build linux/arm64 images and run on ARM64 tasks, from one setting (T6)", () => {
    const arm = synthEnvironment(buildMode("ARM64")).json;
    for (const image of dockerImages(arm)) expect(image).toMatchObject({ platform: "linux/arm64", build: expect.objectContaining({ platform: "linux/arm64" }) });
    expect(taskDefinition(arm, "webapp-staging-backend").task.runtime_platform).toMatchObject({ cpu_architecture: "ARM64" });
    expect(dockerPlatform("X86_64")).toBe("linux/amd64");
  });

  test("the push re-runs when the context changes, keeps old images, and waits for the repository", () => {
    const pushes = resourceList(json, "docker_registry_image");
    expect(pushes).toHaveLength(2);
    const repo = idOf(json, "aws_ecr_repository", (r) => r.name === "webapp-staging-backend");
    const push = pushes.find((p) => String(p.name).includes("backend-image"))!;
    expect(push).toMatchObject({ keep_remotely: true, triggers: { context_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, depends_on: [repo] });
  });

  test("task definitions use the pushed digest, so the push happens first and an image change is one attribute (T1, T12)", () => {
    const push = idOf(json, "docker_registry_image", (p) => String(p.name).includes("backend-image"));
    const expected = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-backend@\${${push}.sha256_digest}`;
    expect(taskDefinition(json, "webapp-staging-backend").containers[0].image).toBe(expected);
    expect(taskDefinition(json, "webapp-staging-backend-migrate").containers[0].image).toBe(expected);
  });

  test("the service waits for the push and for the database (T1, T9)", () => {
    const service = resourceList(json, "aws_ecs_service").find((s) => s.name === "webapp-staging-backend")!;
    expect(service.depends_on).toEqual(expect.arrayContaining([idOf(json, "docker_registry_image", (p) => String(p.name).includes("backend-image")), idOf(json, "aws_db_instance", () => true)]));
  });

  test("a configured migration command replaces the preset's", () => {
    expect(taskDefinition(json, "webapp-staging-backend-migrate").containers[0].command).toEqual(["node", "migrate.js"]);
  });

  test("no tag variables in build mode", () => {
    expect((json as any).variable).toBeUndefined();
  });

  test("a missing context fails at synth, naming the setting", () => {
    const bad: EnvironmentInput = { ...staging, services: { ...staging.services, backend: { ...staging.services.backend, image: { source: "build", context: "no/such/dir" } } } };
    expect(messageOf(() => synthEnvironment(bad), ConfigError)).toBe(
      `Invalid configuration for environment "staging":\n  - services.backend.image.context: got "no/such/dir"; no such directory (${resolve("no/such/dir")}); give the build context directory relative to the project root`,
    );
  });
});

describe("tag mode: CI pushes, Terraform checks (T1)", () => {
  const { json } = synthEnvironment(staging);

  test("no Docker provider, so the stack plans offline", () => {
    expect((json.provider as any).docker).toBeUndefined();
    expect(resourceList(json, "docker_image")).toEqual([]);
  });

  test("the tag is a variable per service, unset by default (the running tag, else config's)", () => {
    expect((json as any).variable).toMatchObject({
      backend_image_tag: { type: "string", default: null, nullable: true },
      frontend_image_tag: { type: "string", default: null, nullable: true },
      verify_backend_image_tag: { type: "bool", default: true },
      verify_frontend_image_tag: { type: "bool", default: true },
    });
  });

  test("a plan-time ECR look-up of the tag, switchable with verifyTagExists", () => {
    const checks = Object.values((json.data as any).aws_ecr_image) as Record<string, unknown>[];
    expect(checks).toContainEqual(
      expect.objectContaining({ count: "${var.verify_backend_image_tag ? 1 : 0}", image_tag: "${local.backend_image_tag_deployed}", repository_name: expect.stringMatching(/aws_ecr_repository\.backend-registry/) }),
    );
    const off = synthEnvironment({ ...staging, services: { ...staging.services, backend: { ...staging.services.backend, image: { source: "tag", tag: "v1", verifyTagExists: false } } } }).json;
    expect((off as any).variable.verify_backend_image_tag.default).toBe(false);
  });

  test("the service starts only after the check", () => {
    const service = resourceList(json, "aws_ecs_service").find((s) => s.name === "webapp-staging-backend")!;
    expect(service.depends_on).toContainEqual(expect.stringMatching(/^data\.aws_ecr_image\./));
  });
});

describe("contextHash", () => {
  const dir = mkdtempSync(join(tmpdir(), "ctx-"));
  writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "a.txt"), "a");

  test("is deterministic and changes with any file's content", () => {
    const first = contextHash(dir);
    expect(contextHash(dir)).toBe(first);
    writeFileSync(join(dir, "src", "a.txt"), "b");
    expect(contextHash(dir)).not.toBe(first);
  });

  test("ignores plain .dockerignore entries and .git", () => {
    writeFileSync(join(dir, ".dockerignore"), "node_modules\n# comment\n");
    const before = contextHash(dir);
    mkdirSync(join(dir, "node_modules"));
    writeFileSync(join(dir, "node_modules", "x.js"), "x");
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "HEAD"), "ref");
    expect(contextHash(dir)).toBe(before);
  });
});
