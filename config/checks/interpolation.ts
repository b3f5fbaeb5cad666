/**
 * Terraform reads `${...}` and `%{...}` in any JSON string as an expression or a directive. A user's
 * value such as Laravel's `MAIL_FROM_NAME="${APP_NAME}"` must reach Terraform literally: written as
 * `$${APP_NAME}`, Terraform plans the value `${APP_NAME}`.
 */

const SEQUENCE = /[$%]\{/;

/** True when Terraform would read part of `value` as an interpolation or directive. */
export function hasTemplateSequence(value: string): boolean {
  return SEQUENCE.test(value);
}

/** `value` escaped so that Terraform takes it literally: `${` → `$${`, `%{` → `%%{`. */
export function escapeTemplate(value: string): string {
  // An already escaped "$${" is escaped again on purpose: the user wrote those characters.
  // A replacer function: in a replacement string "$$" would mean a single "$".
  return value.replace(/([$%])\{/g, (_match, sigil: string) => `${sigil}${sigil}{`);
}

/** Every value of a string map escaped for Terraform. */
export function escapeValues(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeTemplate(v)]));
}

/**
 * Config paths whose strings reach Terraform escaped (environment, migration command, tags) or not at
 * all as an expression (waiver reasons live in `//` comments). Any other user
 * string containing `${` or `%{` is refused by the configuration check (it would be an expression).
 */
export const TEMPLATE_SAFE_SETTINGS: readonly RegExp[] = [/^services\.\w+\.environment\./, /^services\.\w+\.migrationCommand\.\d+$/, /^tags\./, /^(bootstrap\.)?guardrails\.waivers\.\d+\.reason$/];
