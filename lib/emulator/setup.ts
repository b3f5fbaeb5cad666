/**
 * What must exist in the emulator before a stack applies, and what a stack must have left behind
 * after it is destroyed, both through the emulator's API the way a user's tools would see them.
 */
import { ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import type { EnvironmentInput } from "../../config/schema";
import type { Emulator } from "./moto";

/** The account moto answers as (its default). Environment configs are pointed at it, as a user points them at theirs. */
export const EMULATOR_ACCOUNT_ID = "123456789012";

/** An Authorization header that tells the emulator which service and region a raw request is for (it checks no signature). */
export function signedFor(service: string, region: string): string {
  return `AWS4-HMAC-SHA256 Credential=emulator/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

/**
 * Creates a public hosted zone through the Route53 API and returns the id the emulator chose (the
 * zone a user creates once, or registers a domain into, before the first deploy).
 */
export async function createHostedZone(emulator: Emulator, name: string): Promise<string> {
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
  <Name>${name}</Name><CallerReference>emulator-${name}-${Date.now()}</CallerReference>
</CreateHostedZoneRequest>`;
  const response = await fetch(`${emulator.endpoint}/2013-04-01/hostedzone`, { method: "POST", body, headers: { "content-type": "application/xml", authorization: signedFor("route53", "us-east-1") } });
  const text = await response.text();
  const id = /<Id>\/hostedzone\/([A-Z0-9]+)<\/Id>/.exec(text)?.[1];
  if (!response.ok || !id) throw new Error(`CreateHostedZone ${name} failed: HTTP ${response.status} ${text}`);
  return id;
}

/** Deletes a hosted zone (it must hold only its NS and SOA records). */
export async function deleteHostedZone(emulator: Emulator, id: string): Promise<void> {
  const response = await fetch(`${emulator.endpoint}/2013-04-01/hostedzone/${id}`, { method: "DELETE", headers: { authorization: signedFor("route53", "us-east-1") } });
  if (!response.ok) throw new Error(`DeleteHostedZone ${id} failed: HTTP ${response.status} ${await response.text()}`);
}

/** Pushes an image manifest with `tag` into `repositoryName`, as CI's `docker push` would (ECR PutImage). */
export async function pushImageManifest(emulator: Emulator, region: string, repositoryName: string, tag: string): Promise<void> {
  const ecr = new ECRClient({ region, endpoint: emulator.endpoint, credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" } });
  const manifest = {
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: 2, digest: `sha256:${"0".repeat(63)}1` },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: 2, digest: `sha256:${Buffer.from(`${repositoryName}:${tag}`).toString("hex").padEnd(64, "0").slice(0, 64)}` }],
  };
  await ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: JSON.stringify(manifest) }));
  ecr.destroy();
}

/**
 * An environment's config as a user of the emulator would write it: the emulator's account id, the
 * hosted zone id it chose, and IPv4 only (the emulator never reports an IPv6 CIDR association as
 * `associated`; README "How it is verified").
 */
export function emulatorInput(input: EnvironmentInput, hostedZoneId: string, overrides: (input: EnvironmentInput) => EnvironmentInput = (i) => i): EnvironmentInput {
  return overrides({
    ...input,
    accountId: EMULATOR_ACCOUNT_ID,
    network: { ...input.network, ipv6: false },
    domain: { ...input.domain, hostedZoneId },
  });
}
