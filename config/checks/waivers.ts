/** A guardrail waiver's reason must say something: not whitespace, filler or a placeholder. */

const PLACEHOLDERS = /^(todo|tbd|tba|fixme|xxx+|n\/?a|none|no reason|na|wip|temp|temporary|test(ing)?|asdf\w*|qwerty\w*|because|reason|later)\b/i;
const LOREM = /\blorem\b|\bipsum\b/i;

/** Why `reason` does not count as a reason, or undefined when it does. */
export function fillerReasonProblem(reason: string): string | undefined {
  const text = reason.trim();
  const rule = "write at least 20 characters saying why the rule does not apply here, e.g. \"staging: single-AZ database for cost; production is Multi-AZ\"";
  if (text.length < 20) return `is not a reason (${text.length} character${text.length === 1 ? "" : "s"} after trimming spaces); ${rule}`;
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const distinctWords = new Set(words.filter((w) => w.length > 1));
  const distinctChars = new Set(text.toLowerCase().replace(/[^a-z0-9]/g, ""));
  if (LOREM.test(text)) return `is placeholder text (lorem ipsum), not a reason; ${rule}`;
  if (PLACEHOLDERS.test(text)) return `starts with a placeholder (${JSON.stringify(text.match(PLACEHOLDERS)![0])}), not a reason; ${rule}`;
  if (distinctChars.size < 5 || distinctWords.size < 3) return `is repeated filler, not a reason (fewer than 3 different words); ${rule}`;
  return undefined;
}
