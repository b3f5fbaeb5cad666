/**
 * Renders a DiagramModel as Graphviz DOT (then SVG, in-process with Graphviz compiled to
 * WebAssembly) and as Mermaid text (which GitHub renders in Markdown).
 */
import type { DiagramEdge, DiagramGroup, DiagramModel, DiagramNode, EdgeKind, GroupId, NodeKind } from "./model";

const STYLE: Record<NodeKind, { shape: string; fill: string; border: string }> = {
  browser: { shape: "box", fill: "#ffffff", border: "#232f3e" },
  dns: { shape: "box", fill: "#ede7f6", border: "#5e35b1" },
  certificate: { shape: "box", fill: "#fce4ec", border: "#c2185b" },
  gateway: { shape: "box", fill: "#ede7f6", border: "#5e35b1" },
  nat: { shape: "box", fill: "#ede7f6", border: "#5e35b1" },
  subnets: { shape: "box", fill: "#ffffff", border: "#7d8998" },
  "load-balancer": { shape: "box", fill: "#ede7f6", border: "#5e35b1" },
  listener: { shape: "box", fill: "#f3e5f5", border: "#8e24aa" },
  rule: { shape: "box", fill: "#f3e5f5", border: "#8e24aa" },
  service: { shape: "box", fill: "#fff3e0", border: "#e65100" },
  worker: { shape: "box", fill: "#fff3e0", border: "#e65100" },
  task: { shape: "box", fill: "#fffaf2", border: "#e65100" },
  schedule: { shape: "box", fill: "#fce4ec", border: "#c2185b" },
  queue: { shape: "box", fill: "#e8f5e9", border: "#2e7d32" },
  database: { shape: "cylinder", fill: "#e3f2fd", border: "#1565c0" },
  bucket: { shape: "cylinder", fill: "#e8f5e9", border: "#2e7d32" },
  repository: { shape: "box", fill: "#fff3e0", border: "#e65100" },
  secret: { shape: "box", fill: "#ffebee", border: "#c62828" },
  alarms: { shape: "box", fill: "#fff8e1", border: "#b26a00" },
  topic: { shape: "box", fill: "#fff8e1", border: "#b26a00" },
  subscriber: { shape: "box", fill: "#ffffff", border: "#b26a00" },
  dashboard: { shape: "box", fill: "#fff8e1", border: "#b26a00" },
  "event-rule": { shape: "box", fill: "#fce4ec", border: "#c2185b" },
  "state-machine": { shape: "box", fill: "#fce4ec", border: "#c2185b" },
};

const EDGE_STYLE: Record<EdgeKind, string> = {
  request: 'color="#232f3e", penwidth=1.6',
  data: 'color="#1565c0", penwidth=1.4',
  dns: 'color="#5e35b1", style=dashed',
  image: 'color="#e65100", style=dashed',
  secret: 'color="#c62828", style=dotted',
  egress: 'color="#7d8998", style=dashed',
  trigger: 'color="#c2185b"',
  tls: 'color="#c2185b", style=dotted',
  notify: 'color="#b26a00"',
};

const GROUP_STYLE: Record<GroupId, string> = {
  aws: 'style="rounded"; color="#232f3e"; fontcolor="#232f3e"',
  vpc: 'style="rounded"; color="#8c4fff"; fontcolor="#8c4fff"',
  public: 'style="filled,rounded"; fillcolor="#f2f8ee"; color="#7aa116"; fontcolor="#3f5a0a"',
  private: 'style="filled,rounded"; fillcolor="#e6f2f8"; color="#147eba"; fontcolor="#0b4a6f"',
  isolated: 'style="filled,rounded"; fillcolor="#f1f1f1"; color="#7d8998"; fontcolor="#3d4550"',
  dns: 'style="rounded"; color="#5e35b1"; fontcolor="#5e35b1"',
  regional: 'style="rounded,dashed"; color="#7d8998"; fontcolor="#3d4550"',
  operations: 'style="filled,rounded"; fillcolor="#fffdf5"; color="#b26a00"; fontcolor="#7a4a00"',
};

const dotString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function dotNode(node: DiagramNode): string {
  const style = STYLE[node.kind];
  const [title, ...rest] = node.lines;
  // HTML-like label: bold title, smaller detail lines.
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const label = `<<B>${esc(title)}</B>${rest.map((l) => `<BR/><FONT POINT-SIZE="10">${esc(l)}</FONT>`).join("")}>`;
  return `${node.id} [label=${label}, shape=${style.shape}, style="filled${style.shape === "box" ? ",rounded" : ""}", fillcolor="${style.fill}", color="${style.border}"];`;
}

function dotEdge(edge: DiagramEdge, groupOf: ReadonlyMap<string, string | undefined>): string {
  const label = edge.label ? `, label=${dotString(edge.label)}` : "";
  // Flows to regional services should not pull them into the request column's ranks; the flow back out
  // of the Operations box (state machine -> the service it redeploys) would push the box past the services.
  const leavesOperations = groupOf.get(edge.from) === "operations" && groupOf.get(edge.to) !== "operations";
  const constraint = edge.kind === "egress" || leavesOperations ? ", constraint=false" : "";
  return `${edge.from} -> ${edge.to} [${EDGE_STYLE[edge.kind]}${label}${constraint}];`;
}

/** Graphviz DOT text of the model. */
export function toDot(model: DiagramModel): string {
  const lines = [
    `digraph ${dotString(`${model.environment}`)} {`,
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=13, nodesep=0.35, ranksep=0.55, compound=true, newrank=true, label=${dotString(`${model.environment} (${model.region}), generated from the synthesized stack`)}, labelloc=t];`,
    `  node [fontname="Helvetica", fontsize=12, margin="0.15,0.06"];`,
    `  edge [fontname="Helvetica", fontsize=10, fontcolor="#3d4550"];`,
  ];
  const emitGroup = (group: DiagramGroup | undefined, indent: string) => {
    const members = model.nodes.filter((n) => n.group === group?.id);
    for (const node of members) lines.push(`${indent}${dotNode(node)}`);
    // Graphviz stacks sibling clusters of one rank bottom-up in the order they are written: write the tiers isolated first so public ends on top.
    const children = model.groups.filter((g) => g.parent === group?.id);
    for (const child of group?.id === "vpc" ? [...children].reverse() : children) {
      if (child.id === "regional") {
        // Regional services sit next to the flows that reach them: a box around them would span every rank.
        for (const node of model.nodes.filter((n) => n.group === "regional")) lines.push(`${indent}${dotNode(node)}`);
        continue;
      }
      lines.push(`${indent}subgraph cluster_${child.id} {`, `${indent}  label=${dotString(child.label)}; ${GROUP_STYLE[child.id]};`);
      emitGroup(child, `${indent}  `);
      lines.push(`${indent}}`);
    }
  };
  emitGroup(undefined, "  ");
  const groupOf = new Map(model.nodes.map((n) => [n.id, n.group as string | undefined]));
  for (const edge of model.edges) lines.push(`  ${dotEdge(edge, groupOf)}`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

const MERMAID_SHAPE: Partial<Record<NodeKind, [string, string]>> = { database: ["[(", ")]"], bucket: ["[(", ")]"], browser: ["([", "])"] };
const MERMAID_ARROW: Record<EdgeKind, string> = { request: "==>", data: "-->", dns: "-.->", image: "-.->", secret: "-.->", egress: "-.->", trigger: "-->", tls: "-.->", notify: "-->" };

/** Mermaid flowchart text of the model (GitHub renders it in Markdown). */
export function toMermaid(model: DiagramModel): string {
  const text = (s: string) => s.replace(/"/g, "#quot;");
  const lines = ["flowchart TB"];
  const emitGroup = (group: DiagramGroup | undefined, indent: string) => {
    for (const node of model.nodes.filter((n) => n.group === group?.id)) {
      const [open, close] = MERMAID_SHAPE[node.kind] ?? ["[", "]"];
      lines.push(`${indent}${node.id}${open}"${node.lines.map(text).join("<br/>")}"${close}`);
    }
    for (const child of model.groups.filter((g) => g.parent === group?.id)) {
      lines.push(`${indent}subgraph ${child.id}["${text(child.label)}"]`);
      emitGroup(child, `${indent}  `);
      lines.push(`${indent}end`);
    }
  };
  emitGroup(undefined, "  ");
  for (const edge of model.edges) {
    const arrow = MERMAID_ARROW[edge.kind];
    lines.push(`  ${edge.from} ${arrow}${edge.label ? `|"${text(edge.label)}"|` : ""} ${edge.to}`);
  }
  return `${lines.join("\n")}\n`;
}

interface GraphvizModule {
  Graphviz: { load(): Promise<{ dot(dot: string): string; version(): string }> };
}
let graphviz: Promise<{ dot(dot: string): string; version(): string }> | undefined;

/**
 * SVG from DOT with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz): no system package.
 * The package is ESM only: Node loads it with require (require(esm), Node 20.19+); Jest transforms it (jest.config.js).
 */
export async function renderSvg(dot: string): Promise<string> {
  graphviz ??= (require("@hpcc-js/wasm-graphviz") as GraphvizModule).Graphviz.load();
  return (await graphviz).dot(dot);
}
