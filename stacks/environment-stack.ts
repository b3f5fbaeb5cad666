import { relative, resolve } from "node:path";
import { App, Aspects, Fn, TerraformOutput, TerraformStack, type ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { escapeTemplate, escapeValues } from "../config/checks/interpolation";
import type { EnvironmentConfig } from "../config/schema";
import { AppSecrets, secretSource } from "../constructs/data/app-secrets";
import { partitionOf } from "../constructs/core/partition";
import { projectAwsProvider } from "../constructs/core/aws-provider";
import { CertificateDns } from "../constructs/edge/certificate-dns";
import { Cluster } from "../constructs/compute/cluster";
import { BuiltImage, PushedImage, ecrDockerProvider } from "../constructs/compute/container-image";
import { Alarms, type MonitoredService } from "../constructs/observability/alarms";
import { Dashboard } from "../constructs/observability/dashboard";
import { Database } from "../constructs/data/database";
import { DatabaseCredentials } from "../constructs/data/database-credentials";
import { workloadBoundaryArn } from "../constructs/delivery/delivery-names";
import { LogQueries } from "../constructs/observability/log-queries";
import { SecretRotationRedeploy } from "../constructs/observability/secret-rotation-redeploy";
import { LoadBalancer } from "../constructs/edge/load-balancer";
import { Naming } from "../constructs/core/naming";
import { Network } from "../constructs/network/network";
import { PRESETS, type HealthCheckDefaults, type PresetContext, type SecretSource } from "../constructs/compute/presets";
import { PrivateBucket } from "../constructs/data/private-bucket";
import { Registry } from "../constructs/compute/registry";
import { RunningImages } from "../constructs/compute/running-images";
import { Guardrails, RULES } from "../constructs/rules";
import { stateKey, useS3StateBackend } from "../constructs/data/state-backend";
import { WebService } from "../constructs/compute/web-service";
import { backendLikeProps, connectExtras, createWorkloadExtras, extrasContext, extrasServiceProps, type WorkloadExtras } from "./workload-extras";
import type { WorkerService } from "../constructs/compute/worker-service";
import type { ScheduledJobs } from "../constructs/compute/scheduled-jobs";
import type { Queue } from "../constructs/data/queue";
import { createQueue, createScheduledJobs, createWorkers } from "./workloads";
import { MIGRATION_TASK_DEFINITION_OUTPUT, SERVICE_KEYS, deployContract, imageTagVariable, type DeployContract, type ServiceKey } from "./deploy-contract";

/** The public base URL of the backend API for the configured routing mode. */
export function apiUrl(config: EnvironmentConfig): string {
  const { routing } = config;
  if (routing.mode === "host") return `https://${routing.hostName}`;
  return `https://${config.domain.name}${routing.pathPatterns[0].replace(/\/?\*$/, "")}`;
}

/** What a service must wait for before it starts: the pushed image, or the tag check. */
function imageReady(image: BuiltImage | PushedImage): ITerraformDependable[] {
  return image instanceof BuiltImage ? [image.registryImage] : [image.check];
}

/** One deployable environment (`cdktf deploy <name>`): the whole application platform. */
export class EnvironmentStack extends TerraformStack {
  readonly config: EnvironmentConfig;
  readonly naming: Naming;
  readonly contract: DeployContract;
  readonly network: Network;
  readonly cluster: Cluster;
  readonly registries: Record<ServiceKey, Registry>;
  readonly database: Database;
  /** The master password's rotation schedule and the application's own database user (T15). */
  readonly databaseCredentials: DatabaseCredentials;
  /** SNS topic and CloudWatch alarms (README "Operations"). */
  readonly alarms: Alarms;
  readonly secretRotationRedeploy: SecretRotationRedeploy;
  readonly dashboard: Dashboard;
  readonly logQueries: LogQueries;
  readonly uploads: PrivateBucket;
  readonly appSecrets: AppSecrets;
  readonly certificate: CertificateDns;
  readonly loadBalancer: LoadBalancer;
  readonly services: Record<ServiceKey, WebService>;
  /** Health check settings per service after merging framework defaults with config. */
  readonly healthChecks: Record<ServiceKey, HealthCheckDefaults>;
  /** Where each service's image comes from. */
  readonly images: Record<ServiceKey, BuiltImage | PushedImage>;
  /** The tags the tag-mode services run, read from the environment's own state (undefined when no service is in tag mode). */
  readonly runningImages?: RunningImages;
  /** Cache, mail identity and Service Connect, when config turns them on (stacks/workload-extras.ts). */
  readonly extras: WorkloadExtras;
  /** Issue 14: the environment's SQS queue (config `queue`), its workers and its scheduled jobs. */
  readonly queue?: Queue;
  readonly workers: Record<string, WorkerService>;
  readonly scheduledJobs?: ScheduledJobs;

  constructor(scope: Construct, config: EnvironmentConfig) {
    super(scope, config.name);
    this.config = config;
    this.naming = new Naming(config.project, config.name, config.accountId);
    this.contract = deployContract(config);
    const { naming, contract } = this;

    projectAwsProvider(this, {
      project: config.project,
      environment: config.name,
      region: config.region,
      accountId: config.accountId,
      // User strings reach Terraform literally: "${APP_NAME}" is written "$${APP_NAME}" (README "What the configuration check refuses").
      extraTags: escapeValues(config.tags),
    });
    useS3StateBackend(this, { ...config.state, project: config.project, environment: config.name });
    // Every role of the environment carries the boundary the bootstrap stack creates (README "Permissions of the roles").
    const boundaryArn = workloadBoundaryArn(config.project, config.name, config.region, config.accountId);

    this.network = new Network(this, "network", {
      naming,
      vpcCidr: config.network.vpcCidr,
      availabilityZones: config.availabilityZones,
      natGateways: config.network.natGateways,
      flowLogs: config.network.flowLogs,
      permissionsBoundaryArn: boundaryArn,
      account: { id: config.accountId, region: config.region },
      ipv6: config.network.ipv6,
    });

    this.cluster = new Cluster(this, "cluster", {
      clusterName: contract.clusterName,
      execLogGroupName: naming.logGroup("ecs/exec"),
      containerInsights: config.cluster.containerInsights,
      execLogRetentionDays: config.cluster.execLogRetentionDays,
    });

    this.registries = {
      backend: new Registry(this, "backend-registry", { repositoryName: contract.services.backend.repositoryName, region: config.region, accountId: config.accountId, ...config.registry, forceDelete: config.teardown.forceDeleteImages }),
      frontend: new Registry(this, "frontend-registry", { repositoryName: contract.services.frontend.repositoryName, region: config.region, accountId: config.accountId, ...config.registry, forceDelete: config.teardown.forceDeleteImages }),
    };

    this.database = new Database(this, "database", { naming, network: this.network, ...config.database });
    this.databaseCredentials = new DatabaseCredentials(this, "database-credentials", {
      database: this.database,
      prefix: `${config.project}/${config.name}`,
      region: config.region,
      accountId: config.accountId,
      masterPasswordRotationDays: config.database.masterPasswordRotationDays,
      recoveryWindowDays: config.teardown.secretRecoveryWindowDays,
    });

    this.uploads = new PrivateBucket(this, "uploads", {
      bucketName: naming.bucketName("uploads"),
      versioned: config.uploads.versioned,
      preventDestroy: config.uploads.preventDestroy,
      forceDestroy: config.teardown.forceDestroyBuckets,
    });

    this.extras = createWorkloadExtras(this, config, naming, this.network);

    const presets = { backend: PRESETS[config.services.backend.framework], frontend: PRESETS[config.services.frontend.framework] };
    this.appSecrets = new AppSecrets(this, "app-secrets", {
      prefix: `${config.project}/${config.name}`,
      region: config.region,
      accountId: config.accountId,
      names: [...presets.backend.appSecrets, ...presets.frontend.appSecrets],
      recoveryWindowDays: config.teardown.secretRecoveryWindowDays,
    });

    this.certificate = new CertificateDns(this, "certificate", {
      naming,
      domainName: config.domain.name,
      alternativeNames: config.domain.alternativeNames,
      hostedZoneId: config.domain.hostedZoneId,
    });

    this.healthChecks = {
      backend: { ...presets.backend.healthCheck, ...config.services.backend.healthCheck },
      frontend: { ...presets.frontend.healthCheck, ...config.services.frontend.healthCheck },
    };
    this.loadBalancer = new LoadBalancer(this, "load-balancer", {
      naming,
      network: this.network,
      region: config.region,
      certificateArn: this.certificate.certificateArn,
      frontend: { containerPort: config.services.frontend.containerPort, healthCheck: this.healthChecks.frontend },
      backend: { containerPort: config.services.backend.containerPort, healthCheck: this.healthChecks.backend },
      backendRoute: config.routing,
      idleTimeoutSeconds: config.loadBalancer.idleTimeoutSeconds,
      deletionProtection: config.loadBalancer.deletionProtection,
      accessLogs: { ...config.loadBalancer.accessLogs, preventDestroy: config.loadBalancer.deletionProtection, forceDestroy: config.teardown.forceDestroyBuckets },
    });
    this.certificate.aliasTo(this.loadBalancer.alb, { ipv6: config.network.ipv6 });

    const monitored: Record<ServiceKey, MonitoredService> = {
      backend: this.monitored("backend"),
      frontend: this.monitored("frontend"),
    };
    this.alarms = new Alarms(this, "alarms", {
      naming,
      loadBalancer: this.loadBalancer,
      clusterName: contract.clusterName,
      services: monitored,
      databaseIdentifier: this.database.identifier,
      thresholds: config.monitoring.thresholds,
      subscribers: config.monitoring.subscribers,
      containerInsights: config.cluster.containerInsights,
    });

    this.queue = createQueue(this, config, naming, this.alarms.topic.arn);

    if (SERVICE_KEYS.some((key) => config.services[key].image.source === "build")) {
      // Only stacks that build images get the Docker provider, so the others plan without it.
      ecrDockerProvider(this, this.registries.backend.registryHost);
    }
    // The running image is state, not config: a plan without -var keeps it (README "Images").
    this.runningImages = SERVICE_KEYS.some((key) => config.services[key].image.source === "tag")
      ? new RunningImages(this, "running-images", { state: { bucket: config.state.bucket, key: stateKey(config.project, config.name), region: config.state.region }, region: config.region })
      : undefined;
    this.images = { backend: this.image("backend"), frontend: this.image("frontend") };

    const web = { backend: this.webService("backend", boundaryArn), frontend: this.webService("frontend", boundaryArn) };
    const serviceSecrets = { backend: web.backend.secrets, frontend: web.frontend.secrets };
    this.services = { backend: web.backend.service, frontend: web.frontend.service };
    this.database.allowFrom("backend", this.services.backend.securityGroup);
    connectExtras(this.extras, config, this.services);

    const workloads = {
      config,
      naming,
      network: this.network,
      cluster: this.cluster,
      clusterName: contract.clusterName,
      database: this.database,
      backend: this.services.backend,
      backendEnvironment: web.backend.environment,
      backendSecrets: web.backend.secretsByName,
      image: this.images.backend.reference,
      queue: this.queue,
      egressRules: backendLikeProps(this.extras, config).egressRules ?? [],
      cache: this.extras.cache,
      alarmTopicArn: this.alarms.topic.arn,
      permissionsBoundaryArn: boundaryArn,
      dependsOn: web.backend.dependsOn,
    };
    this.workers = createWorkers(this, workloads);
    this.scheduledJobs = createScheduledJobs(this, workloads);

    const operations = this.createOperations(serviceSecrets, monitored, boundaryArn);
    this.secretRotationRedeploy = operations.secretRotationRedeploy;
    this.dashboard = operations.dashboard;
    this.logQueries = operations.logQueries;

    this.outputs();
    Aspects.of(this).add(new Guardrails(RULES, config.guardrails.waivers));
  }

  /** What keeps the running environment observable: redeploy on secret change, dashboard, saved queries (README "Operations"). */
  private createOperations(
    serviceSecrets: Record<ServiceKey, SecretSource[]>,
    monitored: Record<ServiceKey, MonitoredService>,
    boundaryArn: string,
  ): { secretRotationRedeploy: SecretRotationRedeploy; dashboard: Dashboard; logQueries: LogQueries } {
    const { config, naming, contract } = this;
    const secretRotationRedeploy = new SecretRotationRedeploy(this, "secret-rotation-redeploy", {
      naming,
      region: config.region,
      accountId: config.accountId,
      clusterName: contract.clusterName,
      services: {
        backend: { serviceName: contract.services.backend.serviceName, secrets: serviceSecrets.backend },
        frontend: { serviceName: contract.services.frontend.serviceName, secrets: serviceSecrets.frontend },
        // Workers read the backend's secrets: a rotation rolls them too (T15, issue 14).
        ...Object.fromEntries(Object.keys(this.workers).map((name) => [`worker-${name}`, { serviceName: contract.workers![name].serviceName, secrets: serviceSecrets.backend }])),
      },
      alarmTopicArn: this.alarms.topic.arn,
      permissionsBoundaryArn: boundaryArn,
    });
    const dashboard = new Dashboard(this, "dashboard", {
      naming,
      region: config.region,
      loadBalancer: this.loadBalancer,
      clusterName: contract.clusterName,
      services: monitored,
      databaseIdentifier: this.database.identifier,
      alarms: [
        ...this.alarms.alarms,
        ...(secretRotationRedeploy.failedAlarm ? [secretRotationRedeploy.failedAlarm] : []),
        ...(this.queue?.deadLetterAlarm ? [this.queue.deadLetterAlarm] : []),
        ...(this.scheduledJobs ? [this.scheduledJobs.failedAlarm] : []),
      ],
    });
    const logQueries = new LogQueries(this, "log-queries", {
      folder: naming.prefix,
      serviceLogGroups: { backend: contract.services.backend.logGroup, frontend: contract.services.frontend.logGroup },
      migration: { logGroup: contract.migration.logGroup, streamPrefix: contract.migration.logStreamPrefix },
      slowQueryLogGroup: this.database.slowQueryLogGroupName,
    });
    return { secretRotationRedeploy, dashboard, logQueries };
  }

  /** What a framework preset needs to know about the environment, for one service. */
  private presetContext(key: ServiceKey): PresetContext {
    const { config } = this;
    const appUser = config.database.applicationCredentials === "app-user";
    return {
      environmentName: config.name,
      region: config.region,
      containerPort: config.services[key].containerPort,
      siteUrl: `https://${config.domain.name}`,
      apiUrl: apiUrl(config),
      // Only the backend talks to the database and the uploads bucket.
      database:
        key === "backend"
          ? {
              host: this.database.host,
              port: this.database.port,
              name: this.database.databaseName,
              username: this.database.username,
              masterSecretArn: this.database.masterSecretArn,
              appUser: appUser ? this.databaseCredentials.appUser : undefined,
              masterSecretScope: this.masterSecretScope(),
            }
          : undefined,
      uploadsBucketName: key === "backend" ? this.uploads.bucket.bucket : undefined,
      queue: key === "backend" && this.queue ? { name: this.queue.name, url: this.queue.url, region: config.region } : undefined,
      appSecrets: this.appSecrets.sources,
      ...extrasContext(this.extras, config, key),
    };
  }

  /** One web service with its framework preset's variables and secrets and the user's settings. */
  private webService(
    key: ServiceKey,
    boundaryArn: string,
  ): { service: WebService; secrets: SecretSource[]; environment: Record<string, string>; secretsByName: Record<string, SecretSource>; dependsOn: ITerraformDependable[] } {
    const { config, naming, contract } = this;
    const settings = config.services[key];
    const preset = PRESETS[settings.framework];
    const ctx = this.presetContext(key);
    const userSecrets = Object.fromEntries(Object.entries(settings.secrets).map(([name, ref]) => [name, secretSource(ref, config.region, config.accountId)]));
    const secrets = { ...preset.secrets(ctx), ...userSecrets };
    const migrationCommand = settings.migrationCommand?.map(escapeTemplate) ?? preset.migrationCommand;
    const environment = { ...preset.environment(ctx), ...escapeValues(settings.environment) };
    // What a task of this service waits for besides its listener (workers of the backend wait for the same).
    const ready: ITerraformDependable[] = [
      ...(key === "backend" ? [this.database.instance] : []),
      ...(ctx.database?.appUser ? [this.databaseCredentials.appUserSecret] : []),
      ...(ctx.cache && this.extras.cache ? [this.extras.cache.authTokenSecret] : []),
      ...imageReady(this.images[key]),
      ...Object.entries(this.appSecrets.secrets)
        .filter(([name]) => name in secrets)
        .map(([, secret]) => secret),
    ];
    const extras = extrasServiceProps(this.extras, config, key, contract.services[key].logGroup);
    // Not just `key`: "backend" is the id CDKTF gives the state backend.
    const service = new WebService(this, `${key}-service`, {
      naming,
      contract: contract.services[key],
      framework: settings.framework,
      region: config.region,
      accountId: config.accountId,
      network: this.network,
      cluster: this.cluster,
      registry: this.registries[key],
      image: this.images[key].reference,
      containerPort: settings.containerPort,
      cpu: settings.cpu,
      memoryMiB: settings.memoryMiB,
      cpuArchitecture: settings.cpuArchitecture,
      desiredCount: settings.desiredCount,
      minHealthyPercent: settings.minHealthyPercent,
      maxPercent: settings.maxPercent,
      fargateSpot: settings.fargateSpot,
      readonlyRootFilesystem: settings.readonlyRootFilesystem,
      autoscaling: settings.autoscaling,
      healthCheckGracePeriodSeconds: this.healthChecks[key].gracePeriodSeconds,
      logRetentionDays: settings.logRetentionDays,
      environment,
      secrets,
      loadBalancer: { securityGroup: this.loadBalancer.securityGroup, targetGroup: this.loadBalancer.targetGroups[key] },
      uploadsBucket: ctx.uploadsBucketName ? this.uploads.bucket : undefined,
      migration: migrationCommand ? { command: migrationCommand, contract: contract.migration } : undefined,
      permissionsBoundaryArn: boundaryArn,
      deploymentAlarmNames: this.alarms.deploymentAlarmNames[key],
      ...extras,
      // The queue (issue 14) and what the extras add (sending mail): one task role for the backend and its workers.
      taskRoleStatements: [...(key === "backend" && this.queue ? this.queue.consumeStatements("Queue") : []), ...(extras.taskRoleStatements ?? [])],
      // T9: the backend starts only once the database exists; each service once its app secrets exist and its listener routes to it.
      dependsOn: [key === "backend" ? this.loadBalancer.backendRule : this.loadBalancer.httpsListener, ...ready],
    });
    return { service, secrets: Object.values(secrets), environment, secretsByName: secrets, dependsOn: ready };
  }

  /** What the alarms and the dashboard need to know about a service, from config. */
  private monitored(key: ServiceKey): MonitoredService {
    const settings = this.config.services[key];
    return { serviceName: this.contract.services[key].serviceName, targetGroup: key, minTasks: settings.autoscaling?.minCount ?? settings.desiredCount };
  }

  /** The RDS-managed master secret as IAM can name it at plan time (config only, no resource attribute). */
  private masterSecretScope(): { arnPattern: string; instanceArn: string } {
    const { region, accountId } = this.config;
    const partition = partitionOf(region);
    return {
      arnPattern: `arn:${partition}:secretsmanager:${region}:${accountId}:secret:rds!db-*`,
      instanceArn: `arn:${partition}:rds:${region}:${accountId}:db:${this.database.identifier}`,
    };
  }

  /** The image of a service: built and pushed by Terraform, or pushed by CI with a tag (README "Images"). */
  private image(key: ServiceKey): BuiltImage | PushedImage {
    const settings = this.config.services[key];
    const registry = this.registries[key];
    if (settings.image.source === "build") {
      const contextDir = resolve(settings.image.context);
      // Terraform runs in <outdir>/stacks/<stack>; a relative context keeps the synthesized code machine-independent.
      const stackDir = resolve(App.of(this).outdir, "stacks", this.node.id);
      return new BuiltImage(this, `${key}-image`, {
        registry,
        contextDir,
        contextPath: relative(stackDir, contextDir),
        dockerfile: settings.image.dockerfile,
        cpuArchitecture: settings.cpuArchitecture,
      });
    }
    return new PushedImage(this, `${key}-image`, {
      registry,
      variableName: imageTagVariable(key),
      defaultTag: settings.image.tag,
      verifyTagExists: settings.image.verifyTagExists,
      runningImages: this.runningImages,
    });
  }

  private outputs(): void {
    const { config, contract } = this;
    const out = (id: string, value: unknown, description: string) => new TerraformOutput(this, id, { value, description });
    const subnets = Fn.join(",", this.network.privateSubnets.map((s) => s.id));
    const network = `awsvpcConfiguration={subnets=[${subnets}],securityGroups=[${this.services.backend.securityGroup.id}],assignPublicIp=DISABLED}`;

    out("state_key", stateKey(config.project, config.name), "S3 key of this environment's Terraform state");
    out("vpc_id", this.network.vpc.id, "VPC id");
    out("site_url", `https://${config.domain.name}`, "The site");
    out("api_url", apiUrl(config), "Public base URL of the backend API");
    out("alb_dns_name", this.loadBalancer.alb.dnsName, "DNS name of the load balancer");
    out("certificate_arn", this.certificate.certificateArn, "ACM certificate of the site");
    out("cluster_name", this.cluster.cluster.name, "ECS cluster");
    for (const key of SERVICE_KEYS) {
      out(`${key}_service_name`, this.services[key].service.name, `ECS service of the ${key}`);
      out(`${key}_repository_url`, this.registries[key].repository.repositoryUrl, `ECR repository of the ${key}`);
    }
    out("db_endpoint", this.database.instance.endpoint, "MySQL endpoint (host:port), reachable from the backend only");
    out("db_master_secret_arn", this.database.masterSecretArn, "RDS-managed secret with the database username and password");
    out("db_app_user_secret_name", this.databaseCredentials.appUserSecretName, "Secret with the application's own database user (README \"Operations\")");
    out("alarm_topic_arn", this.alarms.topic.arn, "SNS topic of this environment's alarms (add it to a chat integration)");
    out("dashboard_url", `https://${config.region}.console.aws.amazon.com/cloudwatch/home?region=${config.region}#dashboards/dashboard/${this.dashboard.dashboardName}`, "CloudWatch dashboard");
    out("uploads_bucket", this.uploads.bucket.bucket, "S3 bucket for uploads");
    if (this.extras.cache) {
      out("cache_endpoint", this.extras.cache.host, "Primary endpoint of the cache (TLS, port 6379), reachable from the backend and workers only");
      out("cache_auth_token_secret_name", this.extras.cache.authTokenSecretName, "Secret with the cache's AUTH token (README \"Operations\": set it once)");
    }
    const migration = this.services.backend.migrationTaskDefinition;
    if (migration) {
      out(MIGRATION_TASK_DEFINITION_OUTPUT, migration.arn, "The migration task definition revision this apply registered (npm run deploy runs exactly it)");
    }
    out(
      "migrate_command",
      `aws ecs run-task --region ${config.region} --cluster ${contract.clusterName} --task-definition ${contract.migration.taskFamily} --capacity-provider-strategy capacityProvider=FARGATE,weight=1 --network-configuration '${network}'`,
      "Runs the database migration task once (npm run deploy does this for you)",
    );
    out(
      "exec_command",
      `aws ecs execute-command --region ${config.region} --cluster ${contract.clusterName} --container ${contract.services.backend.containerName} --interactive --command /bin/sh --task $(aws ecs list-tasks --region ${config.region} --cluster ${contract.clusterName} --service-name ${contract.services.backend.serviceName} --query 'taskArns[0]' --output text)`,
      "Opens a shell in a running backend task (or: npm run exec -- <env> backend)",
    );
  }
}
