/**
 * The plan review gate: reads `terraform show -json` plan output and reports, per resource, what
 * Terraform would do (create, update in place, replace and in which order, destroy, forget, read),
 * which attributes force each replacement, which resources hold data, and for task definitions the
 * decoded container-level change. It blocks a plan that would destroy or replace a stateful
 * resource, replace an ECS service, delete something in use before its replacement exists, or
 * roll an image back, unless that exact address is allowed.
 *
 * Pure logic: no file or process access. The CLI is `scripts/plan-review.ts` (`npm run plan:review`).
 * Format reference: https://developer.hashicorp.com/terraform/internals/json-format
 */

export * from "./parse";
export * from "./review";
export * from "./render";
