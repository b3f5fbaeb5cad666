import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Construct } from "constructs";
import { PropsError } from "../core/errors";

/** Issuer host of GitHub Actions' OIDC tokens; also the prefix of their IAM condition keys. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The audience `aws-actions/configure-aws-credentials` asks GitHub for. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/**
 * Which GitHub Actions jobs may assume a role, as the token's `sub` claim names them:
 * pushes to (and runs on) a branch, jobs that declare a GitHub environment, or pull requests.
 * A job that declares an environment is identified by the environment only, never by its branch.
 */
export type GithubSource = { readonly branch: string } | { readonly environment: string } | { readonly pullRequest: true };

const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;

/**
 * The exact `sub` claim GitHub puts in the OIDC token of a job from `source` in `repository`
 * (GitHub's default subject format), e.g. `repo:acme/webapp:ref:refs/heads/main`.
 *
 * @throws Error when the repository is not `owner/name` or a name carries an IAM wildcard
 */
export function githubSubject(repository: string, source: GithubSource): string {
  if (!REPOSITORY.test(repository)) {
    throw new PropsError(`GitHub repository ${JSON.stringify(repository)} must be "owner/name" (letters, digits, . _ -)`);
  }
  const name = "branch" in source ? source.branch : "environment" in source ? source.environment : undefined;
  if (name !== undefined && (name.length === 0 || /[*?]/.test(name))) {
    throw new PropsError(`GitHub ${"branch" in source ? "branch" : "environment"} ${JSON.stringify(name)} must be one exact name: trust policies match "sub" exactly, without wildcards`);
  }
  if ("branch" in source) return `repo:${repository}:ref:refs/heads/${source.branch}`;
  if ("environment" in source) return `repo:${repository}:environment:${source.environment}`;
  return `repo:${repository}:pull_request`;
}

/** One workflow file of a repository on one ref, as GitHub's `job_workflow_ref` and `ref` claims name it. */
export interface WorkflowPin {
  /** `owner/name` of the repository. */
  readonly repository: string;
  /** File name under `.github/workflows/`, e.g. `deploy-production.yml`. */
  readonly file: string;
  /** Full ref the workflow runs on, e.g. `refs/heads/main`. */
  readonly ref: string;
}

/** The `job_workflow_ref` claim of jobs of `pin`: `owner/name/.github/workflows/<file>@<ref>`. */
export function jobWorkflowRef(pin: WorkflowPin): string {
  if (!/^[\w.-]+\.ya?ml$/.test(pin.file)) throw new PropsError(`GitHub workflow file ${JSON.stringify(pin.file)} must be a file name under .github/workflows such as deploy-production.yml`);
  if (!/^refs\/(heads|tags)\/[^*?]+$/.test(pin.ref)) throw new PropsError(`GitHub ref ${JSON.stringify(pin.ref)} must be one exact refs/heads/<branch> or refs/tags/<tag>`);
  return `${pin.repository}/.github/workflows/${pin.file}@${pin.ref}`;
}

export interface GithubOidcProviderProps {
  /**
   * Audiences (client ids) the provider accepts.
   * @default ["sts.amazonaws.com"], what configure-aws-credentials requests
   */
  readonly audiences?: string[];
}

/**
 * The account's IAM identity provider for GitHub Actions (`token.actions.githubusercontent.com`),
 * so workflows exchange a short-lived OIDC token for role credentials: no access keys anywhere.
 *
 * No thumbprint is set: AWS verifies GitHub's token endpoint against its own library of trusted
 * root CAs, and provider 5.x computes the attribute when it is left out. An account holds one
 * provider per URL; if yours already has one, import it into the bootstrap stack instead of
 * creating a second (README "Continuous delivery").
 */
export class GithubOidcProvider extends Construct {
  readonly provider: IamOpenidConnectProvider;
  readonly audiences: readonly string[];

  constructor(scope: Construct, id: string, props: GithubOidcProviderProps = {}) {
    super(scope, id);
    this.audiences = props.audiences ?? [GITHUB_OIDC_AUDIENCE];
    if (this.audiences.length === 0) throw new PropsError(`GithubOidcProvider "${id}": audiences must list at least one audience`);
    this.provider = new IamOpenidConnectProvider(this, "provider", {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: [...this.audiences],
    });
  }

  /** ARN of the provider, the federated principal of every trust policy built by `trustStatement`. */
  get arn(): string {
    return this.provider.arn;
  }

  /**
   * The trust statement of a role assumed from GitHub Actions: this provider as federated principal,
   * `aud` equal to the first audience, and `sub` equal to one of `subjects` (StringEquals: exact
   * matches only, no wildcards). With `workflows`, also `job_workflow_ref` and `ref` equal to one of
   * them: claims AWS STS accepts as condition keys of `AssumeRoleWithWebIdentity` since early 2026.
   */
  trustStatement(subjects: readonly string[], workflows: readonly WorkflowPin[] = []): DataAwsIamPolicyDocumentStatement {
    if (subjects.length === 0) throw new PropsError("GithubOidcProvider.trustStatement: at least one subject is required");
    const pinned = workflows.length
      ? [
          { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:job_workflow_ref`, values: [...new Set(workflows.map(jobWorkflowRef))] },
          { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:ref`, values: [...new Set(workflows.map((w) => w.ref))] },
        ]
      : [];
    return {
      sid: "GithubActions",
      effect: "Allow",
      actions: ["sts:AssumeRoleWithWebIdentity"],
      principals: [{ type: "Federated", identifiers: [this.arn] }],
      condition: [
        { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: [this.audiences[0]] },
        { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:sub`, values: [...subjects] },
        ...pinned,
      ],
    };
  }
}
