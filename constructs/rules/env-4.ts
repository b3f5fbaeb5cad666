import { expect, type Rule } from "./rule";

/** Project invariant ENV.4: a failing deployment rolls back by itself. */
export const env4: Rule = {
  id: "ENV.4",
  title: "services use the deployment circuit breaker with rollback",
  fix: "set deployment_circuit_breaker { enable = true, rollback = true } (the web service construct does)",
  types: ["aws_ecs_service"],
  check: (r) => {
    const breaker = r.config.deployment_circuit_breaker ?? {};
    return expect(breaker.enable === true && breaker.rollback === true, "no circuit breaker with rollback");
  },
};
