/** Diagrams of every environment stack of a synthesized app: DOT, SVG and Mermaid files. */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readStack, regionOf } from "../stack-json";
import { buildDiagram, type DiagramModel } from "./model";
import { renderSvg, toDot, toMermaid } from "./render";

export { buildDiagram, DRAWN_TYPES, IGNORED_TYPES, unaccountedTypes } from "./model";
export { renderSvg, toDot, toMermaid } from "./render";

/** Stacks of a synthesized app that are environments (every stack but `bootstrap`). */
export function environmentStacks(outdir: string): string[] {
  return readdirSync(join(outdir, "stacks"))
    .filter((s) => s !== "bootstrap")
    .sort();
}

export interface WrittenDiagram {
  readonly environment: string;
  readonly model: DiagramModel;
  readonly files: string[];
}

/** Writes `<env>.svg` and `<env>.mmd` for every environment stack under `outdir` into `target`. */
export async function writeDiagrams(outdir: string, target: string): Promise<WrittenDiagram[]> {
  mkdirSync(target, { recursive: true });
  const written: WrittenDiagram[] = [];
  for (const environment of environmentStacks(outdir)) {
    const stack = readStack(join(outdir, "stacks", environment));
    const model = buildDiagram(environment, regionOf(stack), stack);
    const svg = join(target, `${environment}.svg`);
    const mmd = join(target, `${environment}.mmd`);
    writeFileSync(svg, await renderSvg(toDot(model)));
    writeFileSync(mmd, toMermaid(model));
    written.push({ environment, model, files: [svg, mmd] });
  }
  return written;
}
