import { project } from "./project";
import type { EnvironmentInput } from "./schema";

/** Production: one NAT gateway per zone, flow logs, every data protection on. */
export const production: EnvironmentInput = {
  ...project,
  name: "production",
  region: "eu-west-1",
  /** Placeholder: replace with your account id (README "Configuration reference"). */
  accountId: "222222222222",
  availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  network: {
    vpcCidr: "10.10.0.0/16",
    natGateways: 3,
    flowLogs: { enabled: true, retentionDays: 365 },
  },
  domain: {
    name: "www.example.com",
    hostedZoneId: "Z00000000000000PRODUCT",
  },
};
