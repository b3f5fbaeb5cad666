import { environmentOf, idOf, policyDocument, production, resourceList, staging, synthEnvironment, taskDefinition, type Synth } from "../helpers";
import type { EnvironmentInput } from "../../config";

const s = synthEnvironment(staging).json;
const p = synthEnvironment(production).json;

const serviceNamed = (json: Synth, name: string) => {
  const service = resourceList(json, "aws_ecs_service").find((x) => x.name === name);
  if (!service) throw new Error(`no service ${name}`);
  return service;
};
const withBackend = (backend: Partial<EnvironmentInput["services"]["backend"]>): EnvironmentInput => ({
  ...staging,
  services: { ...staging.services, backend: { ...staging.services.backend, ...backend } },
});

describe("task definitions", () => {
  test("Fargate, awsvpc, CPU and memory from config, Linux runtime platform", () => {
    const { task } = taskDefinition(p, "webapp-production-backend");
    expect(task).toMatchObject({
      requires_compatibilities: ["FARGATE"],
      network_mode: "awsvpc",
      cpu: "1024",
      memory: "2048",
      runtime_platform: { operating_system_family: "LINUX", cpu_architecture: "X86_64" },
    });
  });

  test("cpuArchitecture ARM64 reaches the runtime platform (T6)", () => {
    // Fargate Spot does not run ARM64 tasks (the config check refuses the pair).
    const json = synthEnvironment(withBackend({ cpuArchitecture: "ARM64", fargateSpot: false })).json;
    expect(taskDefinition(json, "webapp-staging-backend").task.runtime_platform).toEqual({ operating_system_family: "LINUX", cpu_architecture: "ARM64" });
    expect(taskDefinition(json, "webapp-staging-backend-migrate").task.runtime_platform).toEqual({ operating_system_family: "LINUX", cpu_architecture: "ARM64" });
  });

  test("the image is the service's ECR repository at the tag variable, else the running tag, else config's", () => {
    const [container] = taskDefinition(s, "webapp-staging-backend").containers;
    expect(container.image).toBe(
      "111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging-backend:${local.backend_image_tag_deployed}",
    );
    expect((s as any).variable.backend_image_tag).toMatchObject({ type: "string", default: null });
    expect((s as any).locals.backend_image_tag_deployed).toBe(
      '${coalesce(var.backend_image_tag, try(data.terraform_remote_state.running-images_state_272362D3[0].outputs.backend_image_tag_running, null), "v0.1.0")}',
    );
  });

  test("awslogs to the service's log group with retention from config", () => {
    const [container] = taskDefinition(s, "webapp-staging-frontend").containers;
    expect(container.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: { "awslogs-group": expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..*\.name\}$/), "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "ecs" },
    });
    expect(resourceList(s, "aws_cloudwatch_log_group")).toContainEqual(expect.objectContaining({ name: "/webapp/staging/ecs/frontend", retention_in_days: 30 }));
    expect(resourceList(p, "aws_cloudwatch_log_group")).toContainEqual(expect.objectContaining({ name: "/webapp/production/ecs/frontend", retention_in_days: 365 }));
  });
});

describe("one containerPort feeds every place that needs it (T8)", () => {
  const json = synthEnvironment(withBackend({ containerPort: 9000 })).json;
  const [container] = taskDefinition(json, "webapp-staging-backend").containers;

  test("port mapping", () => {
    expect(container.portMappings).toEqual([{ containerPort: 9000, hostPort: 9000, protocol: "tcp" }]);
  });

  test("service load balancer block and target group", () => {
    expect(serviceNamed(json, "webapp-staging-backend").load_balancer).toEqual([expect.objectContaining({ container_name: "backend", container_port: 9000 })]);
    expect(resourceList(json, "aws_lb_target_group")).toContainEqual(expect.objectContaining({ name: "webapp-staging-backend-9000", port: 9000 }));
  });

  test("security group rules between the load balancer and the service", () => {
    const backendSg = idOf(json, "aws_security_group", (x) => x.name === "webapp-staging-backend");
    expect(resourceList(json, "aws_vpc_security_group_ingress_rule")).toContainEqual(
      expect.objectContaining({ security_group_id: `\${${backendSg}.id}`, from_port: 9000, to_port: 9000, ip_protocol: "tcp" }),
    );
    expect(resourceList(json, "aws_vpc_security_group_egress_rule")).toContainEqual(
      expect.objectContaining({ referenced_security_group_id: `\${${backendSg}.id}`, from_port: 9000, to_port: 9000 }),
    );
  });

  test("the framework's PORT variable, where it has one", () => {
    const json3001 = synthEnvironment({ ...staging, services: { ...staging.services, frontend: { ...staging.services.frontend, containerPort: 3001 } } }).json;
    const [frontend] = taskDefinition(json3001, "webapp-staging-frontend").containers;
    expect(environmentOf(frontend).PORT).toBe("3001");
    expect(frontend.portMappings).toEqual([{ containerPort: 3001, hostPort: 3001, protocol: "tcp" }]);
  });
});

describe("ECS services", () => {
  test.each([
    ["staging", s, "webapp-staging-backend"],
    ["production", p, "webapp-production-backend"],
  ])("%s: private subnets, no public IP, ECS Exec, circuit breaker with rollback", (_env, json, name) => {
    expect(serviceNamed(json, name)).toMatchObject({
      network_configuration: { assign_public_ip: false, subnets: expect.arrayContaining([expect.stringMatching(/aws_subnet\.network_private-a/)]) },
      enable_execute_command: true,
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
    });
    const subnets = (serviceNamed(json, name).network_configuration as { subnets: string[] }).subnets;
    expect(subnets.every((id) => /aws_subnet\.network_private-/.test(id))).toBe(true);
  });

  test("health check grace period comes from the framework preset (T7)", () => {
    expect(serviceNamed(s, "webapp-staging-backend").health_check_grace_period_seconds).toBe(60);
    expect(serviceNamed(s, "webapp-staging-frontend").health_check_grace_period_seconds).toBe(30);
    const json = synthEnvironment(withBackend({ healthCheck: { gracePeriodSeconds: 120 } })).json;
    expect(serviceNamed(json, "webapp-staging-backend").health_check_grace_period_seconds).toBe(120);
  });

  test("staging runs one task on Fargate Spot; production two on Fargate (T13)", () => {
    expect(serviceNamed(s, "webapp-staging-backend")).toMatchObject({ desired_count: 1, capacity_provider_strategy: [{ capacity_provider: "FARGATE_SPOT", weight: 1 }] });
    expect(serviceNamed(p, "webapp-production-backend")).toMatchObject({ desired_count: 2, capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1 }] });
  });

  test("production scales on CPU between min and max, and Terraform leaves desired_count to the scaler", () => {
    // Staging's only scaler is its queue worker's (issue 14); its web services run a fixed count.
    expect(resourceList(s, "aws_appautoscaling_target").filter((t) => !String(t.resource_id).includes("worker-"))).toHaveLength(0);
    expect(resourceList(p, "aws_appautoscaling_target")).toContainEqual(
      expect.objectContaining({ min_capacity: 2, max_capacity: 6, scalable_dimension: "ecs:service:DesiredCount", resource_id: expect.stringContaining("service/") }),
    );
    expect(resourceList(p, "aws_appautoscaling_policy")).toContainEqual(
      expect.objectContaining({
        policy_type: "TargetTrackingScaling",
        target_tracking_scaling_policy_configuration: expect.objectContaining({
          target_value: 60,
          predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
        }),
      }),
    );
    expect(serviceNamed(p, "webapp-production-backend").lifecycle).toEqual({ ignore_changes: ["desired_count"] });
    expect(serviceNamed(s, "webapp-staging-backend").lifecycle).toBeUndefined();
  });

  test("the backend service waits for the database (T9)", () => {
    const db = idOf(s, "aws_db_instance", () => true);
    expect(serviceNamed(s, "webapp-staging-backend").depends_on).toContain(db);
    expect(serviceNamed(s, "webapp-staging-frontend").depends_on).not.toContain(db);
  });

  test("services wait for the listener that routes to them", () => {
    expect(serviceNamed(s, "webapp-staging-backend").depends_on).toContainEqual(expect.stringMatching(/^aws_lb_listener_rule\./));
    expect(serviceNamed(s, "webapp-staging-frontend").depends_on).toContainEqual(expect.stringMatching(/^aws_lb_listener\./));
  });
});

describe("security groups", () => {
  test("explicit stable names and descriptions", () => {
    expect(resourceList(s, "aws_security_group")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "webapp-staging-backend", description: expect.stringContaining("from the load balancer only") }),
        expect.objectContaining({ name: "webapp-staging-frontend", description: expect.stringContaining("from the load balancer only") }),
      ]),
    );
  });

  test("a service's security group ignores description changes: groups created when it named the port keep theirs instead of being replaced delete-first under running tasks", () => {
    for (const name of ["webapp-staging-backend", "webapp-staging-frontend"]) {
      const sg = resourceList(s, "aws_security_group").find((x) => x.name === name)!;
      expect(sg.description).not.toMatch(/\d{2,5}/);
      expect(sg.lifecycle).toEqual({ ignore_changes: ["description"] });
    }
  });

  test("service ingress comes only from the load balancer's security group", () => {
    const albSg = idOf(s, "aws_security_group", (x) => x.name === "webapp-staging-alb");
    for (const name of ["webapp-staging-backend", "webapp-staging-frontend"]) {
      const sg = idOf(s, "aws_security_group", (x) => x.name === name);
      const ingress = resourceList(s, "aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === `\${${sg}.id}`);
      expect(ingress).toHaveLength(1);
      expect(ingress[0]).toMatchObject({ referenced_security_group_id: `\${${albSg}.id}`, description: expect.any(String) });
      expect(ingress[0].cidr_ipv4).toBeUndefined();
    }
  });
});

describe("IAM (T4): two roles with distinct jobs, least privilege", () => {
  test("on the master user (database.applicationCredentials: master), the master secret is named from config, so no database change makes the policy unknown", () => {
    // GIVEN staging moved back to the master user (the migration path; production would need a waiver of OPS.3)
    const master = synthEnvironment({ ...staging, database: { ...staging.database, applicationCredentials: "master" }, guardrails: { waivers: [...(staging.guardrails?.waivers ?? []), { rule: "OPS.3", reason: "moving an existing environment to its own database user" }] } }).json;
    // WHEN the backend's execution role policy is read
    const doc = policyDocument(master, "backend-service_execution-role-permissions");
    const bySid = Object.fromEntries(doc.statement.map((st) => [st.sid, st]));
    // THEN the RDS-managed secret is scoped by the name pattern and the instance tag, both known from config (issue 10, item 3)
    expect(bySid.ReadTaggedSecret).toEqual({
      sid: "ReadTaggedSecret",
      actions: ["secretsmanager:GetSecretValue"],
      resources: ["arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!db-*"],
      condition: [
        { test: "StringEquals", variable: "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn", values: ["arn:aws:rds:eu-west-1:111111111111:db:webapp-staging-mysql"] },
      ],
    });
    expect(JSON.stringify(doc)).not.toContain("aws_db_instance");
  });

  test("the execution role pulls from its own repository, writes its own logs, reads exactly its secrets", () => {
    const doc = policyDocument(s, "backend-service_execution-role-permissions");
    const bySid = Object.fromEntries(doc.statement.map((st) => [st.sid, st]));
    // The application's own database user (issue 13): no statement for the RDS-managed master secret.
    expect(Object.keys(bySid).sort()).toEqual(["EcrAuth", "EcrPull", "Logs", "ReadSecrets"]);
    expect(bySid.EcrAuth).toMatchObject({ actions: ["ecr:GetAuthorizationToken"], resources: ["*"] });
    // ARNs computed from config (known at plan time whatever changes on the repository or log group).
    expect(bySid.EcrPull.resources).toEqual(["arn:aws:ecr:eu-west-1:111111111111:repository/webapp-staging-backend"]);
    expect(bySid.Logs.resources).toEqual(["arn:aws:logs:eu-west-1:111111111111:log-group:/webapp/staging/ecs/backend:*"]);
    expect(bySid.ReadSecrets).toMatchObject({ actions: ["secretsmanager:GetSecretValue"] });
    expect(bySid.ReadSecrets.resources).toHaveLength(2);
    expect(bySid.ReadSecrets.resources).toEqual(
      expect.arrayContaining(["arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/APP_KEY-??????", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:webapp/staging/database/app-user-??????"]),
    );
    expect(JSON.stringify(doc)).not.toContain("aws_db_instance");
  });

  test("the frontend's execution role reads no secrets (it has none)", () => {
    const doc = policyDocument(s, "frontend-service_execution-role-permissions");
    expect(doc.statement.map((st) => st.sid)).toEqual(["EcrAuth", "EcrPull", "Logs"]);
  });

  test("the backend task role reaches only its uploads bucket and the ECS Exec channels", () => {
    const doc = policyDocument(s, "backend-service_task-role-permissions");
    const bySid = Object.fromEntries(doc.statement.map((st) => [st.sid, st]));
    expect(bySid.UploadsObjects).toMatchObject({ actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], resources: [expect.stringMatching(/^\$\{aws_s3_bucket\.uploads.*\.arn\}\/\*$/)] });
    expect(bySid.UploadsList).toMatchObject({ actions: ["s3:ListBucket"], resources: [expect.stringMatching(/^\$\{aws_s3_bucket\.uploads.*\.arn\}$/)] });
    expect(bySid.EcsExecChannels.actions).toEqual(expect.arrayContaining(["ssmmessages:CreateControlChannel", "ssmmessages:OpenDataChannel"]));
    expect(doc.statement.flatMap((st) => st.actions).filter((a: string) => a.startsWith("secretsmanager") || a.startsWith("ecr"))).toEqual([]);
  });

  test("the frontend task role has no S3 access", () => {
    const doc = policyDocument(s, "frontend-service_task-role-permissions");
    expect(doc.statement.flatMap((st) => st.actions).some((a: string) => a.startsWith("s3:"))).toBe(false);
  });

  test("only ECS tasks of this account can assume the roles", () => {
    const trust = policyDocument(s, "backend-service_task-role-trust");
    expect(trust.statement[0]).toMatchObject({
      principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
      condition: expect.arrayContaining([{ test: "StringEquals", variable: "aws:SourceAccount", values: ["111111111111"] }]),
    });
  });

  test("'*' resources appear only for actions AWS cannot scope", () => {
    for (const json of [s, p]) {
      const wildcards = Object.values(json.data!.aws_iam_policy_document)
        .flatMap((doc: any) => doc.statement ?? [])
        .filter((st: any) => st.effect !== "Deny" && (st.resources ?? []).includes("*"))
        .flatMap((st: any) => st.actions);
      expect(wildcards.sort()).toEqual(
        expect.arrayContaining(["ecr:GetAuthorizationToken", "logs:DescribeLogGroups", "ssmmessages:CreateControlChannel"]),
      );
      const allowed = ["ecr:GetAuthorizationToken", "logs:DescribeLogGroups", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"];
      expect(wildcards.filter((a: string) => !allowed.includes(a))).toEqual([]);
    }
  });

  test("no IAM users or access keys anywhere", () => {
    for (const json of [s, p]) {
      expect(Object.keys(json.resource ?? {}).filter((type) => /iam_(user|access_key)/.test(type))).toEqual([]);
    }
  });
});

describe("migration task (T11)", () => {
  test("same image, secrets, roles and log group as the backend; the preset's migration command", () => {
    const service = taskDefinition(s, "webapp-staging-backend");
    const migration = taskDefinition(s, "webapp-staging-backend-migrate");
    expect(migration.containers[0].command).toEqual(["php", "artisan", "migrate", "--force"]);
    expect(migration.containers[0].image).toBe(service.containers[0].image);
    expect(migration.containers[0].secrets).toEqual(service.containers[0].secrets);
    expect(migration.containers[0].environment).toEqual(service.containers[0].environment);
    expect(migration.task.execution_role_arn).toBe(service.task.execution_role_arn);
    expect(migration.task.task_role_arn).toBe(service.task.task_role_arn);
    expect(migration.containers[0].logConfiguration.options["awslogs-stream-prefix"]).toBe("migrate");
    expect(migration.containers[0].portMappings).toEqual([]); // no port: it serves nothing (and [] is what ECS returns)
  });

  test("rails migrates with bin/rails db:migrate", () => {
    // Staging's worker and scheduler use Laravel's default commands; Rails has none (issue 14).
    const json = synthEnvironment({ ...withBackend({ framework: "rails" }), workers: {}, scheduledJobs: {} }).json;
    expect(taskDefinition(json, "webapp-staging-backend-migrate").containers[0].command).toEqual(["bin/rails", "db:migrate"]);
  });

  test("the frontend has no migration task", () => {
    expect(resourceList(s, "aws_ecs_task_definition").map((t) => t.family).sort()).toEqual([
      "webapp-staging-backend",
      "webapp-staging-backend-migrate",
      "webapp-staging-frontend",
      "webapp-staging-worker-default",
    ]);
  });

  test("outputs give the exact run-task and execute-command commands", () => {
    const outputs = (s as any).output;
    expect(outputs.migrate_command.value).toContain("aws ecs run-task --region eu-west-1 --cluster webapp-staging-cluster --task-definition webapp-staging-backend-migrate");
    expect(outputs.migrate_command.value).toContain("assignPublicIp=DISABLED");
    expect(outputs.exec_command.value).toContain("aws ecs execute-command --region eu-west-1 --cluster webapp-staging-cluster --container backend --interactive");
    for (const name of ["cluster_name", "backend_service_name", "frontend_service_name", "backend_repository_url", "frontend_repository_url", "db_endpoint"]) {
      expect(outputs[name]).toBeDefined();
    }
  });
});

describe("Fargate sizes", () => {
  test("an invalid CPU/memory pair fails at synth with the valid values", () => {
    expect(() => synthEnvironment(withBackend({ cpu: 256, memoryMiB: 4096 }))).toThrow(
      /services\.backend\.memoryMiB: got 4096; memoryMiB 4096 is not valid with cpu 256; valid memoryMiB values for cpu 256: 512, 1024, 2048/,
    );
  });

  test("an invalid CPU fails with the valid CPU values", () => {
    expect(() => synthEnvironment(withBackend({ cpu: 300, memoryMiB: 1024 }))).toThrow(/cpu 300 is not a Fargate size; valid cpu values: 256, 512, 1024, 2048, 4096, 8192, 16384/);
  });
});
