import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { DataAwsEcrImage } from "@cdktf/provider-aws/lib/data-aws-ecr-image";
import { Image } from "@cdktf/provider-docker/lib/image";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { RegistryImage } from "@cdktf/provider-docker/lib/registry-image";
import { Fn, TerraformVariable, Token } from "cdktf";
import { Construct } from "constructs";
import type { Registry } from "./registry";
import type { RunningImages } from "./running-images";
import { PropsError } from "../core/errors";

export type CpuArchitecture = "X86_64" | "ARM64";

/** The Docker platform an image must be built for to run on a task of this architecture (T6). */
export function dockerPlatform(architecture: CpuArchitecture): "linux/amd64" | "linux/arm64" {
  return architecture === "ARM64" ? "linux/arm64" : "linux/amd64";
}

/** Entries of a `.dockerignore` that are plain paths (no wildcards): skipped when hashing. */
function ignoredPaths(dir: string): string[] {
  const file = join(dir, ".dockerignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim().replace(/^\/|\/$/g, ""))
    .filter((line) => line && !line.startsWith("#") && !/[*?![\]]/.test(line));
}

/**
 * SHA-256 of a build context: every file's path and content, in sorted order, skipping `.git` and
 * the plain paths listed in `.dockerignore`. Same files, same hash, on any machine.
 */
export function contextHash(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new PropsError(`image build context ${dir} is not a directory`);
  }
  const ignored = new Set([".git", ...ignoredPaths(dir)]);
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const path = join(current, entry);
      const rel = relative(dir, path).split(sep).join("/");
      if (ignored.has(rel)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else files.push(rel);
    }
  };
  walk(dir);
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(dir, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * The Docker provider for one stack, pushing to the account's ECR registry with the credentials of
 * the Docker client's config (`~/.docker/config.json`, or `DOCKER_CONFIG`): what
 * `aws ecr get-login-password | docker login` or the ECR credential helper put there. No registry
 * credential passes through Terraform, so none can reach its state or a saved plan (an
 * `aws_ecr_authorization_token` data source would keep a live 12-hour token in state).
 * `registry_auth.address` must be the registry host only, not a repository URL.
 */
export function ecrDockerProvider(scope: Construct, registryHost: string): DockerProvider {
  return new DockerProvider(scope, "docker", {
    registryAuth: [{ address: registryHost }],
  });
}

export interface BuiltImageProps {
  readonly registry: Registry;
  /** Absolute path of the build context on this machine (hashed at synth time). */
  readonly contextDir: string;
  /** The same context relative to the directory Terraform runs in (`cdktf.out/stacks/<stack>`). */
  readonly contextPath: string;
  /** Dockerfile, relative to the context. @default "Dockerfile" */
  readonly dockerfile?: string;
  /** Drives the build platform (T6). @default "X86_64" */
  readonly cpuArchitecture?: CpuArchitecture;
}

/**
 * An image built from a local context by Terraform's Docker provider and pushed to the service's
 * ECR repository (T1): the tag is a hash of the context, so a changed context is a new tag and a new
 * push; the task definition refers to the pushed digest, so the push happens before the task
 * definition and an image change is a one-attribute plan diff (T12).
 */
export class BuiltImage extends Construct {
  readonly image: Image;
  readonly registryImage: RegistryImage;
  /** `src-<first 16 hex of the context hash>` */
  readonly tag: string;
  /** `<repository>@sha256:...`, known once pushed. */
  readonly reference: string;

  constructor(scope: Construct, id: string, props: BuiltImageProps) {
    super(scope, id);
    if (!existsSync(props.contextDir) || !statSync(props.contextDir).isDirectory()) {
      throw new PropsError(`BuiltImage "${id}": the build context ${props.contextDir} is not a directory (config services.<service>.image.context, relative to the project root)`);
    }
    const hash = contextHash(props.contextDir);
    this.tag = `src-${hash.slice(0, 16)}`;
    const name = `${props.registry.repositoryUrl}:${this.tag}`;
    const triggers = { context_sha256: hash };
    this.image = new Image(this, "image", {
      name,
      buildAttribute: {
        context: props.contextPath,
        dockerfile: props.dockerfile ?? "Dockerfile",
        platform: dockerPlatform(props.cpuArchitecture ?? "X86_64"),
      },
      platform: dockerPlatform(props.cpuArchitecture ?? "X86_64"),
      triggers,
      keepLocally: true,
    });
    this.registryImage = new RegistryImage(this, "push", {
      name: this.image.name,
      // Old images stay in ECR (tags are immutable; the repository's lifecycle policy expires them).
      keepRemotely: true,
      triggers,
      // The repository URL is computed from config, so the dependency on the repository must be explicit.
      dependsOn: [props.registry.repository],
    });
    this.reference = `${props.registry.repositoryUrl}@${this.registryImage.sha256Digest}`;
  }
}

export interface PushedImageProps {
  readonly registry: Registry;
  /** Terraform variable name of the tag, e.g. `backend_image_tag`. */
  readonly variableName: string;
  /** Default tag, from config. */
  readonly defaultTag: string;
  /** Default of the plan-time check that the tag exists in ECR. */
  readonly verifyTagExists: boolean;
  /**
   * Where the running tag is read from. When given, the variable defaults to null and the tag is
   * the variable, else the running tag, else `defaultTag` (README "Images").
   * @default none: the variable defaults to `defaultTag`
   */
  readonly runningImages?: RunningImages;
}

/**
 * An image built and pushed elsewhere (CI) with an immutable tag. The tag is a Terraform variable
 * (`--var backend_image_tag=...`); when `verify_<name>` is true (the default for real
 * deploys) the plan looks the tag up in ECR and fails if it was never pushed, instead of
 * leaving the service failing to pull it (T1).
 */
export class PushedImage extends Construct {
  readonly tagVariable: TerraformVariable;
  readonly verifyVariable: TerraformVariable;
  readonly check: DataAwsEcrImage;
  /** The tag deployed: the variable, or (with `runningImages`) the expression that falls back to the running tag. */
  readonly tag: string;
  readonly reference: string;

  constructor(scope: Construct, id: string, props: PushedImageProps) {
    super(scope, id);
    // Variables live at the stack's top level so that their names stay exactly `variableName` (`--var` uses them).
    this.tagVariable = new TerraformVariable(scope, props.variableName, {
      type: "string",
      default: props.runningImages ? undefined : props.defaultTag,
      nullable: props.runningImages ? true : undefined,
      description: props.runningImages
        ? `Tag of the image in ${props.registry.repositoryUrl} (immutable; pushed by CI). Unset: the tag the environment runs (first deploy: ${props.defaultTag})`
        : `Tag of the image in ${props.registry.repositoryUrl} (immutable; pushed by CI)`,
    });
    // Unset means "keep what runs": null, so that `-var` stays the only way to name a tag (CDKTF drops a null `default`, hence the override).
    if (props.runningImages) this.tagVariable.addOverride("default", null);
    this.tag = props.runningImages ? props.runningImages.imageTag(props.variableName, props.defaultTag) : this.tagVariable.stringValue;
    this.verifyVariable = new TerraformVariable(scope, `verify_${props.variableName}`, {
      type: "bool",
      default: props.verifyTagExists,
      description: "Look the tag up in ECR at plan time and fail when it has not been pushed (false only for offline plans)",
    });
    this.check = new DataAwsEcrImage(this, "tag-check", {
      count: Token.asNumber(Fn.conditional(this.verifyVariable.booleanValue, 1, 0)),
      repositoryName: props.registry.repository.name,
      imageTag: this.tag,
    });
    this.reference = `${props.registry.repositoryUrl}:${this.tag}`;
  }
}
