import { expect, type Rule } from "./rule";

/** Project invariant ENV.1: resources that hold data refuse to be destroyed by a plan. */
export const env1: Rule = {
  id: "ENV.1",
  title: "databases, buckets and image repositories have prevent_destroy",
  fix: "set preventDestroy: true for the database, uploads, registry (config) and state bucket",
  types: ["aws_db_instance", "aws_s3_bucket", "aws_ecr_repository"],
  check: (r) => expect(r.config.lifecycle?.prevent_destroy === true, "lifecycle.prevent_destroy is not true"),
};
