/**
 * Reading a synthesized stack (`cdk.tf.json`): the resources Terraform will create, and the references
 * between them. The diagram (lib/diagram) and the cost estimate (lib/cost) are both built from this, so
 * neither can drift from what the stacks create.
 *
 * Why cdk.tf.json and not the offline plan JSON: the synthesized stack carries every reference as
 * `${type.id.attr}` text (the flows of the picture), it needs only a synth (about 3 s, no Terraform,
 * no provider), and every value the picture and the price need (sizes, counts, ports, classes, CIDRs)
 * is a literal from config. A plan adds nothing here but expanded `for_each` keys, which we expand
 * from the literal `toset([...])` ourselves, and costs an init + plan per stack.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type Block = Record<string, unknown>;

export interface StackJson {
  readonly resource?: Record<string, Record<string, Block>>;
  readonly data?: Record<string, Record<string, Block>>;
  readonly provider?: Record<string, Block[]>;
}

/** One resource block of the stack (before count / for_each expansion). */
export interface StackResource {
  /** Terraform address: `type.id`. */
  readonly address: string;
  readonly type: string;
  readonly id: string;
  /** Construct path relative to the stack, e.g. `backend-service/task-definition`. */
  readonly path: string;
  readonly values: Block;
}

export function readStack(dir: string): StackJson {
  return JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as StackJson;
}

/** Every managed resource block of the stack, in a stable order. */
export function resourcesOf(stack: StackJson): StackResource[] {
  const out: StackResource[] = [];
  for (const type of Object.keys(stack.resource ?? {}).sort()) {
    for (const id of Object.keys(stack.resource![type]).sort()) {
      const values = stack.resource![type][id];
      const meta = (values["//"] as { metadata?: { path?: string } } | undefined)?.metadata?.path ?? id;
      out.push({ address: `${type}.${id}`, type, id, path: meta.split("/").slice(1).join("/"), values });
    }
  }
  return out;
}

/** Data source blocks, keyed by address `data.type.id`. */
export function dataOf(stack: StackJson): Map<string, Block> {
  const out = new Map<string, Block>();
  for (const [type, blocks] of Object.entries(stack.data ?? {})) {
    for (const [id, values] of Object.entries(blocks)) out.set(`data.${type}.${id}`, values);
  }
  return out;
}

const REFERENCE = /(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/g;

/** Addresses (`type.id` or `data.type.id`) referenced anywhere in a value, including `depends_on` and JSON strings. */
export function referencesIn(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === "string") {
    if (value.includes("${") || /^(data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+$/.test(value)) {
      for (const interpolation of value.match(/\$\{[^}]*\}|^(data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+$/g) ?? []) {
        for (const m of interpolation.matchAll(REFERENCE)) out.add(`${m[1] ?? ""}${m[2]}.${m[3]}`);
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((v) => referencesIn(v, out));
  } else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) if (key !== "//") referencesIn(v, out);
  }
  return out;
}

/** References of a value without `depends_on` (data flow only, not ordering). */
export function dataReferencesIn(values: Block): Set<string> {
  const { depends_on: _ignored, ...rest } = values;
  return referencesIn(rest);
}

/**
 * The instance keys of a `for_each` over a literal set (`${toset(["a","b"])}`), or undefined when
 * they are known only at apply time (e.g. the ACM validation records).
 */
export function literalForEachKeys(values: Block): string[] | undefined {
  const forEach = values.for_each;
  if (typeof forEach !== "string") return undefined;
  const m = /^\$\{toset\((\[.*\])\)\}$/.exec(forEach);
  if (!m) return undefined;
  try {
    return JSON.parse(m[1]) as string[];
  } catch {
    return undefined;
  }
}

/** How many instances a block creates: its literal `count`, its literal `for_each` size, or 1. */
export function instanceCount(values: Block): number {
  if (typeof values.count === "number") return values.count;
  return literalForEachKeys(values)?.length ?? 1;
}

/** The AWS region of the stack's provider. */
export function regionOf(stack: StackJson): string {
  const region = stack.provider?.aws?.[0]?.region;
  if (typeof region !== "string") throw new Error("the synthesized stack has no aws provider region");
  return region;
}
