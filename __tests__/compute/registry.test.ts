import { ecrRegistryHost } from "../../constructs/compute/registry";
import { deployContract } from "../../stacks/deploy-contract";
import { loadEnvironment } from "../../config";
import { production, resourceList, staging, synthEnvironment } from "../helpers";

const s = synthEnvironment(staging).json;
const p = synthEnvironment(production).json;

describe("Registry", () => {
  test("one repository per service, explicit names, immutable tags, scan on push, encryption", () => {
    expect(resourceList(s, "aws_ecr_repository").map((r) => r.name).sort()).toEqual(["webapp-staging-backend", "webapp-staging-frontend"]);
    for (const repo of resourceList(s, "aws_ecr_repository")) {
      expect(repo).toMatchObject({
        image_tag_mutability: "IMMUTABLE",
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: "AES256" }],
      });
    }
  });

  test("teardown.forceDeleteImages: staging's repositories go with their images, production's refuse", () => {
    expect(resourceList(s, "aws_ecr_repository").map((r) => r.force_delete)).toEqual([true, true]);
    expect(resourceList(p, "aws_ecr_repository").map((r) => r.force_delete)).toEqual([false, false]);
  });

  test("lifecycle: untagged images expire after N days, only the last N images are kept (from config)", () => {
    const policies = resourceList(s, "aws_ecr_lifecycle_policy").map((x) => JSON.parse(x.policy as string));
    expect(policies).toHaveLength(2);
    expect(policies[0].rules).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 3 }, action: { type: "expire" } }),
      expect.objectContaining({ rulePriority: 2, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 }, action: { type: "expire" } }),
    ]);
    expect(JSON.parse(resourceList(p, "aws_ecr_lifecycle_policy")[0].policy as string).rules[1].selection.countNumber).toBe(50);
  });

  test("the registry host is computed once, per partition, for the stacks and the deploy tools alike", () => {
    expect(ecrRegistryHost("111111111111", "eu-west-1")).toBe("111111111111.dkr.ecr.eu-west-1.amazonaws.com");
    expect(ecrRegistryHost("111111111111", "cn-north-1")).toBe("111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn");
    expect(deployContract(loadEnvironment(staging)).registryHost).toBe("111111111111.dkr.ecr.eu-west-1.amazonaws.com");
  });

  test("production repositories are protected by prevent_destroy, staging's are not", () => {
    expect(resourceList(p, "aws_ecr_repository").map((r) => r.lifecycle)).toEqual([{ prevent_destroy: true }, { prevent_destroy: true }]);
    expect(resourceList(s, "aws_ecr_repository").map((r) => r.lifecycle)).toEqual([{ prevent_destroy: false }, { prevent_destroy: false }]);
  });
});

describe("Cluster", () => {
  test("Container Insights from config: on in production, off in staging", () => {
    expect(resourceList(p, "aws_ecs_cluster")[0].setting).toEqual([{ name: "containerInsights", value: "enabled" }]);
    expect(resourceList(s, "aws_ecs_cluster")[0].setting).toEqual([{ name: "containerInsights", value: "disabled" }]);
  });

  test("ECS Exec sessions are logged to CloudWatch with retention", () => {
    const [cluster] = resourceList(s, "aws_ecs_cluster");
    expect(cluster).toMatchObject({
      name: "webapp-staging-cluster",
      configuration: { execute_command_configuration: { logging: "OVERRIDE", log_configuration: { cloud_watch_log_group_name: expect.stringMatching(/aws_cloudwatch_log_group\.cluster_exec-logs/) } } },
    });
    expect(resourceList(s, "aws_cloudwatch_log_group")).toContainEqual(expect.objectContaining({ name: "/webapp/staging/ecs/exec", retention_in_days: 30 }));
  });

  test("Fargate and Fargate Spot capacity providers", () => {
    expect(resourceList(s, "aws_ecs_cluster_capacity_providers")[0].capacity_providers).toEqual(["FARGATE", "FARGATE_SPOT"]);
  });
});
