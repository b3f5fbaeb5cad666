/**
 * Decodes the `container_definitions` JSON string of an `aws_ecs_task_definition` change into
 * what a reviewer needs per container: image old → new (and whether the new tag is older), plain
 * variables added / removed / changed with values (never secrets, by construction: T10), secrets
 * added / removed / re-pointed by NAME only, ports, cpu, memory, command.
 *
 * Pure logic, used by lib/plan-review.ts.
 */

interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly cpu?: number;
  readonly memory?: number;
  readonly memoryReservation?: number;
  readonly command?: readonly string[];
  readonly environment?: readonly { name: string; value: string }[];
  readonly secrets?: readonly { name: string; valueFrom: string }[];
  readonly portMappings?: readonly { containerPort?: number; hostPort?: number; protocol?: string }[];
}

/** What changed in one container. Only fields that changed are set. */
export interface ContainerChange {
  readonly name: string;
  /** "added" / "removed" when the whole container is new or gone. */
  readonly container?: "added" | "removed";
  readonly image?: { readonly from?: string; readonly to?: string; readonly older?: boolean };
  readonly environment?: {
    readonly added: Readonly<Record<string, string>>;
    readonly removed: Readonly<Record<string, string>>;
    readonly changed: Readonly<Record<string, { from: string; to: string }>>;
  };
  /** Names only: a secret's value is never in the plan, and where it comes from is not shown either. */
  readonly secrets?: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changedSource: readonly string[] };
  readonly ports?: { readonly from: string; readonly to: string };
  readonly cpu?: { readonly from?: number; readonly to?: number };
  readonly memory?: { readonly from?: number; readonly to?: number };
  readonly command?: { readonly from?: readonly string[]; readonly to?: readonly string[] };
}

/** The decoded task definition change: task-level size plus per-container changes. */
export interface TaskDefinitionChange {
  readonly taskCpu?: { readonly from?: string; readonly to?: string };
  readonly taskMemory?: { readonly from?: string; readonly to?: string };
  readonly containers: readonly ContainerChange[];
  /** Set when the new definitions are only known during apply. */
  readonly unknown?: boolean;
}

function decode(value: unknown): Container[] | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? (parsed as Container[]) : undefined;
  } catch {
    return undefined;
  }
}

/** The tag of an image reference (`repo:tag`), or undefined for a digest or no tag. */
export function imageTag(image: string): string | undefined {
  if (image.includes("@")) return undefined;
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? image.slice(colon + 1) : undefined;
}

/** Repository part of an image reference (everything before the tag or digest). */
function repositoryOf(image: string): string {
  const at = image.indexOf("@");
  if (at >= 0) return image.slice(0, at);
  const tag = imageTag(image);
  return tag === undefined ? image : image.slice(0, image.length - tag.length - 1);
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/;

/**
 * Whether tag `to` is an older version than `from`, when both are versions (`v1.2.3`, `1.2.3`);
 * undefined when that cannot be told (commit SHAs, dates, anything else).
 */
export function isOlderTag(from: string, to: string): boolean | undefined {
  const a = VERSION.exec(from);
  const b = VERSION.exec(to);
  if (!a || !b) return undefined;
  for (let i = 1; i <= 3; i++) {
    const d = Number(b[i]) - Number(a[i]);
    if (d !== 0) return d < 0;
  }
  return false;
}

function byName<T extends { name: string }>(list: readonly T[] | undefined): Map<string, T> {
  return new Map((list ?? []).map((entry) => [entry.name, entry]));
}

function ports(c: Container): string {
  return (c.portMappings ?? []).map((p) => `${p.containerPort}/${p.protocol ?? "tcp"}`).join(", ") || "none";
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function diffContainer(name: string, before: Container | undefined, after: Container | undefined): ContainerChange | undefined {
  if (!before) return { name, container: "added", image: { to: after?.image } };
  if (!after) return { name, container: "removed", image: { from: before.image } };
  const change: { -readonly [K in keyof ContainerChange]: ContainerChange[K] } = { name };
  if (before.image !== after.image) {
    const fromTag = before.image ? imageTag(before.image) : undefined;
    const toTag = after.image ? imageTag(after.image) : undefined;
    const sameRepository = before.image && after.image && repositoryOf(before.image) === repositoryOf(after.image);
    const older = sameRepository && fromTag && toTag ? isOlderTag(fromTag, toTag) : undefined;
    change.image = { from: before.image, to: after.image, ...(older !== undefined ? { older } : {}) };
  }
  const envBefore = byName(before.environment);
  const envAfter = byName(after.environment);
  const added: Record<string, string> = {};
  const removed: Record<string, string> = {};
  const changed: Record<string, { from: string; to: string }> = {};
  for (const [key, e] of envAfter) {
    const old = envBefore.get(key);
    if (!old) added[key] = e.value;
    else if (old.value !== e.value) changed[key] = { from: old.value, to: e.value };
  }
  for (const [key, e] of envBefore) if (!envAfter.has(key)) removed[key] = e.value;
  if (Object.keys(added).length + Object.keys(removed).length + Object.keys(changed).length > 0) change.environment = { added, removed, changed };

  const secBefore = byName(before.secrets);
  const secAfter = byName(after.secrets);
  const secretsAdded = [...secAfter.keys()].filter((k) => !secBefore.has(k)).sort();
  const secretsRemoved = [...secBefore.keys()].filter((k) => !secAfter.has(k)).sort();
  const changedSource = [...secAfter.keys()].filter((k) => secBefore.has(k) && secBefore.get(k)!.valueFrom !== secAfter.get(k)!.valueFrom).sort();
  if (secretsAdded.length + secretsRemoved.length + changedSource.length > 0) change.secrets = { added: secretsAdded, removed: secretsRemoved, changedSource };

  if (ports(before) !== ports(after)) change.ports = { from: ports(before), to: ports(after) };
  if (before.cpu !== after.cpu) change.cpu = { from: before.cpu, to: after.cpu };
  if (before.memory !== after.memory || before.memoryReservation !== after.memoryReservation) change.memory = { from: before.memory, to: after.memory };
  if (!same(before.command, after.command)) change.command = { from: before.command, to: after.command };
  return Object.keys(change).length > 1 ? change : undefined;
}

/**
 * The decoded change of one task definition, from the plan's `before` and `after` objects.
 * Undefined when there is nothing to decode (not a task definition, or a plain create/destroy).
 */
export function diffTaskDefinition(before: unknown, after: unknown, afterUnknown: unknown): TaskDefinitionChange | undefined {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (before == null || after == null) return undefined;
  const unknown = typeof afterUnknown === "object" && afterUnknown !== null && (afterUnknown as Record<string, unknown>).container_definitions === true;
  const result: { -readonly [K in keyof TaskDefinitionChange]: TaskDefinitionChange[K] } = { containers: [] };
  if (b.cpu !== a.cpu) result.taskCpu = { from: b.cpu as string, to: a.cpu as string };
  if (b.memory !== a.memory) result.taskMemory = { from: b.memory as string, to: a.memory as string };
  if (unknown) return { ...result, unknown: true };
  const oldContainers = decode(b.container_definitions) ?? [];
  const newContainers = decode(a.container_definitions) ?? [];
  const names = [...new Set([...oldContainers, ...newContainers].map((c) => c.name ?? "?"))];
  const oldByName = new Map(oldContainers.map((c) => [c.name ?? "?", c]));
  const newByName = new Map(newContainers.map((c) => [c.name ?? "?", c]));
  result.containers = names.map((n) => diffContainer(n, oldByName.get(n), newByName.get(n))).filter((c): c is ContainerChange => c !== undefined);
  return result;
}

function list(values: readonly string[] | undefined): string {
  return values === undefined ? "(none)" : JSON.stringify(values);
}

/** The decoded change as indented lines for the text and Markdown renderers. */
export function describeTaskDefinitionChange(change: TaskDefinitionChange): string[] {
  const lines: string[] = [];
  if (change.taskCpu) lines.push(`task cpu: ${change.taskCpu.from ?? "(none)"} → ${change.taskCpu.to ?? "(none)"}`);
  if (change.taskMemory) lines.push(`task memory: ${change.taskMemory.from ?? "(none)"} → ${change.taskMemory.to ?? "(none)"} MiB`);
  if (change.unknown) lines.push("container definitions: known only during apply (they depend on a resource that changes)");
  for (const c of change.containers) {
    const head = `container ${c.name}`;
    if (c.container === "added") {
      lines.push(`${head}: added, image ${c.image?.to}`);
      continue;
    }
    if (c.container === "removed") {
      lines.push(`${head}: removed (was image ${c.image?.from})`);
      continue;
    }
    if (c.image) {
      const rollback = c.image.older ? "  ROLLBACK: the new tag is older than the running one" : "";
      lines.push(`${head}: image ${c.image.from} → ${c.image.to}${rollback}`);
    }
    if (c.environment) {
      for (const [k, v] of Object.entries(c.environment.added)) lines.push(`${head}: + variable ${k}=${JSON.stringify(v)}`);
      for (const [k, v] of Object.entries(c.environment.removed)) lines.push(`${head}: - variable ${k} (was ${JSON.stringify(v)})`);
      for (const [k, v] of Object.entries(c.environment.changed)) lines.push(`${head}: ~ variable ${k}: ${JSON.stringify(v.from)} → ${JSON.stringify(v.to)}`);
    }
    if (c.secrets) {
      for (const k of c.secrets.added) lines.push(`${head}: + secret ${k}`);
      for (const k of c.secrets.removed) lines.push(`${head}: - secret ${k}`);
      for (const k of c.secrets.changedSource) lines.push(`${head}: ~ secret ${k} (reads from another secret)`);
    }
    if (c.ports) lines.push(`${head}: ports ${c.ports.from} → ${c.ports.to}`);
    if (c.cpu) lines.push(`${head}: cpu ${c.cpu.from ?? "(none)"} → ${c.cpu.to ?? "(none)"}`);
    if (c.memory) lines.push(`${head}: memory ${c.memory.from ?? "(none)"} → ${c.memory.to ?? "(none)"}`);
    if (c.command) lines.push(`${head}: command ${list(c.command.from)} → ${list(c.command.to)}`);
  }
  return lines;
}
