/**
 * Secret detection for plain container environment variables (trap T10): by name and by value.
 *
 * By name: a name segment that means "credential" (PASSWORD, PASS, PW, SECRET, TOKEN, KEY, ...),
 * unless the name ends in a segment that makes it a setting about the credential rather than the
 * credential (PASSWORD_MIN_LENGTH, PASSWORD_HASH_ROUNDS, TOKEN_TTL_SECONDS).
 * By value: well-known credential formats, and passwords inside connection URLs.
 */

/** Name segments that mark a variable as a credential. */
const SECRET_SEGMENTS = new Set([
  "PASSWORD", "PASSWD", "PASS", "PWD", "PW", "PASSPHRASE", "SECRET", "SECRETS", "KEY", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATE", "PRIVATEKEY",
]);

/** Last segments that make a name a setting about a credential, not the credential itself. */
const HARMLESS_LAST_SEGMENTS = new Set([
  "ROUNDS", "LENGTH", "LEN", "MIN", "MAX", "TTL", "SECONDS", "SECS", "MS", "MINUTES", "HOURS", "DAYS", "COUNT", "EXPIRY", "EXPIRES", "LIFETIME",
  "TIMEOUT", "ENABLED", "DISABLED", "REQUIRED", "ALGORITHM", "ALGO", "COST", "ATTEMPTS", "RETRIES", "POLICY", "HEADER", "PARAM", "FIELD",
]);

/** True when an environment variable name looks like it carries a secret. */
export function secretName(name: string): boolean {
  const segments = name.toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  if (segments.length > 1 && HARMLESS_LAST_SEGMENTS.has(segments[segments.length - 1])) return false;
  return segments.some((segment) => SECRET_SEGMENTS.has(segment));
}

/** Credential formats recognisable from the value alone, with what they are. */
const VALUE_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/, "an AWS access key id"],
  [/(?<![A-Za-z0-9])(sk|rk)_live_[0-9A-Za-z]{10,}/, "a Stripe live secret key"],
  [/(?<![A-Za-z0-9])(sk|rk)_test_[0-9A-Za-z]{10,}/, "a Stripe test secret key"],
  [/(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}/, "a GitHub token"],
  [/(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{22,}/, "a GitHub fine-grained token"],
  [/(?<![A-Za-z0-9])xox[abposre]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}/, "a Google API key"],
  [/-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/, "a private key"],
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/, "a JSON Web Token"],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i, "a connection URL with a password"],
];

/** Exactly 40 characters of base64 with upper, lower case and digits: the shape of an AWS secret access key. */
const AWS_SECRET_SHAPE = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z0-9/+]{40}$/;

/** What kind of credential `value` looks like, or undefined. */
export function secretValueKind(value: string): string | undefined {
  return VALUE_PATTERNS.find(([pattern]) => pattern.test(value))?.[1];
}

/**
 * The secret-looking variables of one plain environment, by name and by value, with why.
 * A 40-character base64 value counts when an AWS access key id is in the same environment,
 * or when its own name mentions AWS (an AWS secret access key).
 */
export function secretVariables(environment: Readonly<Record<string, string>>): Array<{ name: string; why: string }> {
  const hasAccessKeyId = Object.values(environment).some((v) => secretValueKind(v) === "an AWS access key id");
  const found: Array<{ name: string; why: string }> = [];
  for (const [name, value] of Object.entries(environment)) {
    const kind = secretValueKind(value);
    if (kind) found.push({ name, why: `its value looks like ${kind}` });
    else if (AWS_SECRET_SHAPE.test(value) && (hasAccessKeyId || /AWS/i.test(name))) found.push({ name, why: "its value looks like an AWS secret access key" });
    else if (secretName(name)) found.push({ name, why: "its name says it is a credential" });
  }
  return found;
}

/** A value shown in an error without giving the secret away: its first 4 characters and its length. */
export function redact(value: string): string {
  return `"${value.slice(0, 4)}…" (${value.length} character${value.length === 1 ? "" : "s"}, the rest hidden)`;
}
