import { project } from "./project";
import type { EnvironmentInput } from "./schema";

/** Staging: same shape as production, sized and protected for cost (trap T13). */
export const staging: EnvironmentInput = {
  ...project,
  name: "staging",
  region: "eu-west-1",
  /** Placeholder: replace with your account id (README "Configuration reference"). */
  accountId: "111111111111",
  availabilityZones: ["eu-west-1a", "eu-west-1b"],
  network: {
    vpcCidr: "10.20.0.0/16",
    natGateways: 1,
    flowLogs: { enabled: false, retentionDays: 14 },
  },
  domain: {
    name: "staging.example.com",
    hostedZoneId: "Z0000000000000STAGING",
  },
};
