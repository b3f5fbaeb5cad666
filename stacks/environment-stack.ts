import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../config/schema";
import { projectAwsProvider } from "../constructs/aws-provider";
import { Naming } from "../constructs/naming";
import { Network } from "../constructs/network";
import { stateKey, useS3StateBackend } from "../constructs/state-backend";

/** One deployable environment (`cdktf deploy <name>`): the whole application platform. */
export class EnvironmentStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly naming: Naming;
  readonly network: Network;

  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, config.name);
    this.config = config;
    this.naming = new Naming(config.project, config.name, config.accountId);

    projectAwsProvider(this, {
      project: config.project,
      environment: config.name,
      region: config.region,
      accountId: config.accountId,
      extraTags: config.tags,
    });
    useS3StateBackend(this, { ...config.state, project: config.project, environment: config.name });

    this.network = new Network(this, "network", {
      naming: this.naming,
      vpcCidr: config.network.vpcCidr,
      availabilityZones: config.availabilityZones,
      natGateways: config.network.natGateways,
      flowLogs: config.network.flowLogs,
    });

    new TerraformOutput(this, "vpc_id", { value: this.network.vpc.id, description: "VPC id" });
    new TerraformOutput(this, "state_key", { value: stateKey(config.project, config.name), description: "S3 key of this environment's Terraform state" });
  }
}
