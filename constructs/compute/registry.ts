import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";
import { partitionOf } from "../core/partition";
import { PropsError } from "../core/errors";

/** DNS suffix of ECR registries per partition. */
const ECR_DNS_SUFFIX: Readonly<Record<string, string>> = { aws: "amazonaws.com", "aws-us-gov": "amazonaws.com", "aws-cn": "amazonaws.com.cn" };

/** The ECR registry host of an account in a region: `<account>.dkr.ecr.<region>.amazonaws.com`. */
export function ecrRegistryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.${ECR_DNS_SUFFIX[partitionOf(region)]}`;
}

export interface RegistryProps {
  /** Repository name, from the deploy contract (`<project>-<environment>-<service>`). */
  readonly repositoryName: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * Keep this many most recent images; older ones expire.
   * @default 30
   */
  readonly keepImages?: number;
  /**
   * Expire untagged images (superseded or failed pushes) after this many days.
   * @default 7
   */
  readonly untaggedExpiryDays?: number;
  /**
   * Terraform `prevent_destroy` on the repository. It is never `force_delete`, so AWS also
   * refuses to delete it while it holds images.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * ECR `force_delete`: a destroy deletes the repository with the images it holds.
   * @default false (AWS refuses to delete a repository that holds images)
   */
  readonly forceDelete?: boolean;
}

/**
 * One ECR repository for one service: immutable tags (a tag always means the same image),
 * scan on push, encryption at rest, and a lifecycle policy that bounds storage cost.
 */
export class Registry extends Construct {
  readonly repository: EcrRepository;
  /**
   * `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, computed from config so that task definitions
   * (and an image change in them) are readable in a plan even before the repository exists.
   */
  readonly repositoryUrl: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com`: the registry host (for docker login / registry auth). */
  readonly registryHost: string;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    const keepImages = props.keepImages ?? 30;
    const untaggedExpiryDays = props.untaggedExpiryDays ?? 7;
    for (const [name, value, max] of [
      ["keepImages", keepImages, 1000],
      ["untaggedExpiryDays", untaggedExpiryDays, 365],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > max) {
        throw new PropsError(`Registry "${id}": ${name} must be a whole number from 1 to ${max}; got ${value}`);
      }
    }

    this.repository = new EcrRepository(this, "repository", {
      name: props.repositoryName,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "AES256" }],
      forceDelete: props.forceDelete ?? false,
      lifecycle: { preventDestroy: props.preventDestroy ?? true },
    });
    this.registryHost = ecrRegistryHost(props.accountId, props.region);
    this.repositoryUrl = `${this.registryHost}/${props.repositoryName}`;

    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Expire untagged images after ${untaggedExpiryDays} days`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedExpiryDays },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: `Keep the ${keepImages} most recent images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepImages },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }
}
