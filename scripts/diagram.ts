/**
 * `npm run diagram`: synthesizes the app and writes one architecture diagram per environment,
 * docs/diagrams/<env>.svg (Graphviz in WebAssembly) and docs/diagrams/<env>.mmd (Mermaid).
 * Offline: no AWS account, no Terraform, no system packages. `--out DIR` writes elsewhere.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { writeDiagrams } from "../lib/diagram";
import { isConfigurationError } from "../lib/synth";
import { synthesize } from "../lib/terraform";

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf("--out");
  const target = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join("docs", "diagrams"));
  const outdir = mkdtempSync(join(tmpdir(), "cdktf-diagram-"));
  try {
    synthesize(outdir);
    for (const { environment, model, files } of await writeDiagrams(outdir, target)) {
      console.log(`${environment}: ${model.nodes.length} nodes, ${model.edges.length} flows -> ${files.map((f) => relative(process.cwd(), f)).join(", ")}`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  const known = isConfigurationError(error);
  console.error(known ? `\n${error.message}\n` : error);
  process.exit(1);
});
