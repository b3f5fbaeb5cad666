/**
 * An example environment in Tokyo (ap-northeast-1), sized like staging. To use it, copy it to
 * config/tokyo.ts and add it to `environments` in config/index.ts (README "Adding an environment"),
 * or take its region-specific lines into your own config. `__tests__/readme-ja.test.ts` validates
 * and synthesizes it, draws it and prices it with the ap-northeast-1 prices.
 *
 * 東京リージョン (ap-northeast-1) の環境例です (README.ja.md「東京リージョンの設定例」)。
 */
import { project } from "../../config/project";
import type { EnvironmentInput } from "../../config/schema";
import { staging } from "../../config/staging";

export const tokyo: EnvironmentInput = {
  ...project,
  ...staging,
  name: "tokyo",
  region: "ap-northeast-1",
  /** Placeholder: your 12-digit AWS account id. */
  accountId: "111111111111",
  /** Tokyo's zones are a, c and d (ap-northeast-1b is not offered to new accounts). */
  availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"],
  network: {
    vpcCidr: "10.30.0.0/16",
    natGateways: 1,
    flowLogs: { enabled: false, retentionDays: 14 },
  },
  domain: {
    name: "tokyo.example.jp",
    hostedZoneId: "Z00000000000000000TKYO",
  },
  /** Services, database, registry, cluster and guardrail waivers as in staging (Fargate Spot, single-AZ). */
  delivery: { deployFrom: { branch: "main" } },
};
