/**
 * Values that two environments must not share (a new environment copied from staging with only its
 * name changed): host names (certificate validation records are written with overwrite, alias
 * records would point one environment's name at another's load balancer), VPC ranges, and secrets
 * of another environment. Each problem names the environment that already uses the value.
 */
import type { EnvironmentConfig } from "../schema";

export interface CrossProblem {
  readonly environment: string;
  readonly problem: string;
}

/** The host names of an environment with the setting each comes from. */
function hostNames(config: EnvironmentConfig): Array<{ setting: string; name: string }> {
  return [
    { setting: "domain.name", name: config.domain.name },
    ...config.domain.alternativeNames.map((name, i) => ({ setting: `domain.alternativeNames.${i}`, name })),
  ];
}

/** A wildcard and its base name share one DNS validation record. */
const recordName = (name: string) => name.replace(/^\*\./, "");

function cidrRange(cidr: string): [number, number] {
  const [ip, prefix] = cidr.split("/");
  const start = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

const overlaps = (a: string, b: string) => {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
};

/** A /16 in 10.0.0.0/8 that no environment uses, to suggest. */
function freeRange(configs: readonly EnvironmentConfig[]): string {
  for (let second = 0; second < 256; second += 10) {
    const candidate = `10.${second}.0.0/16`;
    if (!configs.some((c) => overlaps(c.network.vpcCidr, candidate))) return candidate;
  }
  return "a range no other environment uses";
}

export function crossEnvironmentProblems(configs: readonly EnvironmentConfig[]): CrossProblem[] {
  const problems: CrossProblem[] = [];
  const names = new Set(configs.map((c) => c.name));
  configs.forEach((config, index) => {
    const earlier = configs.slice(0, index);
    const add = (problem: string) => problems.push({ environment: config.name, problem });
    for (const { setting, name } of hostNames(config)) {
      for (const other of earlier) {
        const clash = hostNames(other).find((h) => recordName(h.name) === recordName(name));
        if (clash) {
          add(
            `${setting}: got "${name}"; environment "${other.name}" already uses ${clash.name === name ? "it" : `"${clash.name}"`} (${clash.setting}): each environment needs its own host names, or their DNS validation and alias records overwrite each other in the hosted zone; give "${config.name}" its own, e.g. "${config.name}.${recordName(name).split(".").slice(1).join(".")}"`,
          );
          break;
        }
      }
    }
    const cidrClash = earlier.find((other) => overlaps(other.network.vpcCidr, config.network.vpcCidr));
    if (cidrClash) {
      add(
        `network.vpcCidr: got "${config.network.vpcCidr}"; overlaps environment "${cidrClash.name}" (network.vpcCidr "${cidrClash.network.vpcCidr}"): overlapping VPCs can never be peered or joined through a transit gateway; give "${config.name}" its own range, e.g. "${freeRange(configs)}"`,
      );
    }
    for (const [key, service] of Object.entries(config.services)) {
      for (const [variable, ref] of Object.entries(service.secrets)) {
        const secretName = "secretsManager" in ref ? ref.secretsManager : ref.ssmParameter;
        const other = secretName
          .split(/[/_.\-:]+/)
          .find((segment) => segment !== config.name && names.has(segment));
        if (other) {
          add(
            `services.${key}.secrets.${variable}: got ${JSON.stringify(ref)}; that is a secret of environment "${other}", and "${config.name}" must never read another environment's secrets (its roles would reach into "${other}"): create "${secretName.replace(other, config.name)}" and reference it instead`,
          );
        }
      }
    }
  });
  return problems;
}
