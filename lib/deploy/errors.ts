/**
 * Errors the deploy and exec commands show to a person. Their messages are complete: the
 * scripts print them as they are, without a stack trace, and exit with `exitCode`.
 */

/** A step failed (AWS said no, a command failed, the migration or the rollout failed). Exit 1. */
export class DeployError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = "DeployError";
  }
}

/** The command line was wrong (unknown environment, flag or service; bad tag). Exit 2. */
export class UsageError extends Error {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** AWS SDK v3 error names that mean "no usable credentials". */
const CREDENTIAL_ERRORS = new Set(["CredentialsProviderError", "ProviderError", "TokenProviderError"]);
const EXPIRED_ERRORS = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired"]);
const DENIED_ERRORS = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException", "InvalidClientTokenId"]);

/** One line describing an AWS SDK error, with a hint for the common credential problems. */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const name = error.name;
  if (CREDENTIAL_ERRORS.has(name)) {
    return (
      `no AWS credentials found (${error.message}). The SDK's default chain looks at AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ` +
      `AWS_PROFILE and ~/.aws/config (run 'aws sso login' for an SSO profile), then the instance or container role.`
    );
  }
  if (EXPIRED_ERRORS.has(name)) return `the AWS credentials have expired (${name}: ${error.message}); refresh them (e.g. 'aws sso login') and run again.`;
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT/.test(error.message)) {
    return `cannot reach AWS (${error.message}); check the network connection, any proxy settings, and the region in config.`;
  }
  if (DENIED_ERRORS.has(name)) return `AWS refused the request (${name}): ${error.message}. Check that your credentials belong to the environment's account and may do this.`;
  return `${name}: ${error.message}`;
}

/**
 * Runs one AWS call; any failure becomes a DeployError saying what was being done, so that
 * the person sees "Looking up the private subnets failed: ..." and no stack trace.
 */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DeployError || error instanceof UsageError) throw error;
    throw new DeployError(`${what} failed: ${describeAwsError(error)}`);
  }
}

/** Error names whose message is already written for a person (config and naming errors). */
const PERSON_READABLE = new Set(["ConfigError", "NameError"]);

/**
 * Prints a failure the way the scripts show it and returns the exit code: usage errors as one
 * `error:` line (2), known errors as their message (1), anything else with its stack (1: a bug).
 */
export function reportFailure(error: unknown, writeErr: (text: string) => void): number {
  if (error instanceof UsageError) {
    writeErr(`error: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof DeployError) {
    writeErr(`\n${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof Error && PERSON_READABLE.has(error.name)) {
    writeErr(`\n${error.message}\n`);
    return 1;
  }
  writeErr(`\nUnexpected error (a bug in the deploy tooling, please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
