/**
 * IPv4 subnet arithmetic with the semantics of Terraform's `cidrsubnet(prefix, newbits, netnum)`,
 * done at synth time so that subnet CIDRs are literal, reviewable values in the plan.
 */
import { PropsError } from "../core/errors";

function toInt(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

export function cidrSubnet(cidr: string, newbits: number, netnum: number): string {
  const [ip, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  const newPrefix = prefix + newbits;
  if (newPrefix > 32) throw new PropsError(`cidrSubnet: ${cidr} has no room for ${newbits} more bits`);
  if (netnum < 0 || netnum >= 2 ** newbits) throw new PropsError(`cidrSubnet: netnum ${netnum} does not fit in ${newbits} bits`);
  const base = toInt(ip) - (toInt(ip) % 2 ** (32 - prefix));
  return `${toIp(base + netnum * 2 ** (32 - newPrefix))}/${newPrefix}`;
}
