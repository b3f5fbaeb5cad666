import type { App } from "cdktf";
import type { EnvironmentConfig } from "../config/schema";
import { BOOTSTRAP_STACK, BootstrapStack } from "./bootstrap-stack";
import { EnvironmentStack } from "./environment-stack";

/**
 * Adds every stack to `app`: one bootstrap stack per AWS account (state bucket, GitHub Actions
 * identities of the environments in that account) and one stack per environment. The first
 * account's bootstrap stack is `bootstrap`; another account's is `bootstrap-<its first environment>`
 * (README "Separate AWS accounts per environment"). The shared settings (project, repository) come
 * from the first environment; the config loader has already checked that environments agree on
 * them and that each account has its own state bucket.
 */
export function buildApp(
  app: App,
  environments: readonly EnvironmentConfig[],
): { bootstrap: BootstrapStack; bootstraps: BootstrapStack[]; environments: EnvironmentStack[] } {
  const [first] = environments;
  if (!first) throw new Error("buildApp: no environments configured (config/index.ts)");
  const accounts = [...new Set(environments.map((e) => e.accountId))];
  const bootstraps = accounts.map((account, i) => {
    const members = environments.filter((e) => e.accountId === account);
    return new BootstrapStack(app, {
      stackName: i === 0 ? BOOTSTRAP_STACK : `${BOOTSTRAP_STACK}-${members[0].name}`,
      project: first.project,
      state: members[0].state,
      github: first.github,
      environments: members,
      waivers: first.bootstrap.guardrails.waivers,
    });
  });
  return {
    bootstrap: bootstraps[0],
    bootstraps,
    environments: environments.map((config) => new EnvironmentStack(app, config)),
  };
}
