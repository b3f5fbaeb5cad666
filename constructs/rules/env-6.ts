import { expect, type Rule } from "./rule";

/** Project invariant ENV.6: a destroy keeps data recoverable (secrets restorable, images and objects not deleted with their container). */
export const env6: Rule = {
  id: "ENV.6",
  title: "a destroy keeps secrets restorable and refuses to delete non-empty repositories and buckets",
  fix: "leave teardown.secretRecoveryWindowDays, forceDeleteImages and forceDestroyBuckets at their defaults (config)",
  types: ["aws_secretsmanager_secret", "aws_ecr_repository", "aws_s3_bucket"],
  check: (r) => {
    if (r.type === "aws_secretsmanager_secret") return expect(r.config.recovery_window_in_days !== 0, "recovery_window_in_days is 0: a destroy deletes the secret at once");
    if (r.type === "aws_ecr_repository") return expect(r.config.force_delete !== true, "force_delete is true: a destroy deletes the images with the repository");
    return expect(r.config.force_destroy !== true, "force_destroy is true: a destroy deletes every object in the bucket");
  },
};
