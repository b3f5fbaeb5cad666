/**
 * zod's default messages ("Invalid input: expected boolean, received string") in our voice. Passed
 * to `safeParse(input, { error: ourVoice })`: a message a schema sets itself still wins, this only
 * replaces zod's own wording. `loadEnvironment` prefixes every message with the setting and the value.
 */
import type { z } from "zod";

const TYPE_WORDS: Readonly<Record<string, string>> = {
  boolean: "true or false (without quotes)",
  number: "a number (without quotes)",
  int: "a whole number (without quotes)",
  string: "text in quotes",
  array: "a list [ ... ]",
  object: "an object { ... }",
  record: "an object { ... }",
};

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return "text";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

const plural = (n: number | bigint, one: string, many: string) => `${n} ${Number(n) === 1 ? one : many}`;

/** Our message for a zod issue, or undefined to keep zod's. */
export function ourVoice(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `is required: ${expected}`;
      if (issue.expected === "int" && typeof issue.input === "number") return "must be a whole number";
      return `must be ${expected}, not ${kindOf(issue.input)}`;
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? "at least" : "at most";
      const limit = issue.code === "too_small" ? issue.minimum : issue.maximum;
      if (issue.origin === "array" || issue.origin === "set") return `must list ${bound} ${plural(limit, "entry", "entries")}`;
      if (issue.origin === "string") return `must be ${bound} ${plural(limit, "character", "characters")} long`;
      return `must be ${bound} ${limit}`;
    }
    case "invalid_value":
      return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`}`;
    case "invalid_format":
      return `does not have the expected format (${issue.format})`;
    case "invalid_union":
      return "matches none of the allowed forms; see the README configuration reference";
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}
