import { containersOf, expect, notApplicable, type Rule } from "./rule";

/**
 * Variables that switch a framework into a development mode, and the values that do it. Debug pages
 * show stack traces, configuration and environment to any visitor; development modes turn off
 * caching and security defaults; debug logs write request data and SQL with values.
 */
const UNSAFE: Readonly<Record<string, RegExp>> = {
  APP_DEBUG: /^(true|1|on|yes)$/i,
  RAILS_ENV: /^(development|dev|test)$/i,
  RACK_ENV: /^(development|dev|test)$/i,
  NODE_ENV: /^(development|dev|test)$/i,
  APP_ENV: /^(local|dev|development|test|testing)$/i,
  LOG_LEVEL: /^(debug|trace)$/i,
  RAILS_LOG_LEVEL: /^(debug|trace)$/i,
};

/** Project invariant ENV.5: containers run their framework in production mode, without debug output. */
export const env5: Rule = {
  id: "ENV.5",
  title: "containers run their framework in production mode (no debug)",
  fix: "remove the variable from services.<name>.environment (the framework preset sets the production value), or waive ENV.5 for this environment with a reason",
  types: ["aws_ecs_task_definition"],
  check: (r) => {
    const containers = containersOf(r);
    if (!containers) return notApplicable;
    const unsafe = containers.flatMap((c) =>
      (c.environment ?? [])
        .filter((e: { name: string; value: string }) => UNSAFE[e.name]?.test(String(e.value)))
        .map((e: { name: string; value: string }) => `${c.name} sets ${e.name}=${JSON.stringify(e.value)}`),
    );
    return expect(unsafe.length === 0, `container ${unsafe.join(", ")}`);
  },
};
