/**
 * EventBridge Scheduler expressions and time zones, checked at synth (issue 14: scheduled jobs).
 * Rules from the EventBridge Scheduler user guide, "Schedule types": `rate(value unit)`,
 * `cron(minutes hours day-of-month month day-of-week year)` and `at(yyyy-mm-ddThh:mm:ss)`.
 */

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;

/** Characters each cron field accepts (Scheduler's cron dialect, not Unix cron). */
const CRON_FIELDS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: "minutes", pattern: /^[\d,*/-]+$/ },
  { name: "hours", pattern: /^[\d,*/-]+$/ },
  { name: "day-of-month", pattern: /^([\d,*/?LW-]+)$/ },
  { name: "month", pattern: /^([\d,*/-]+|[A-Za-z,-]+)$/ },
  { name: "day-of-week", pattern: /^([\d,*/?L#-]+|[A-Za-z,#-]+|[A-Za-z]+L?)$/ },
  { name: "year", pattern: /^[\d,*/-]+$/ },
];

const EXAMPLES = 'such as "rate(1 minute)", "rate(5 minutes)", "cron(0 3 * * ? *)" (03:00 every day) or "at(2026-12-31T23:00:00)"';

/** Why `expression` is not a Scheduler schedule expression, or undefined when it is one. */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return "a rate must be at least 1";
    const singular = !rate[2].endsWith("s");
    if (value === 1 && !singular) return `must use the singular unit for 1: "rate(1 ${rate[2].slice(0, -1)})"`;
    if (value > 1 && singular) return `must use the plural unit for ${value}: "rate(${value} ${rate[2]}s)"`;
    return undefined;
  }
  if (expression.startsWith("rate(")) return `is not a rate expression: rate(<whole number> <minute|minutes|hour|hours|day|days>), ${EXAMPLES}`;
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) {
      return `has ${fields.length} cron fields; Scheduler's cron has 6: minutes hours day-of-month month day-of-week year (Unix cron has 5: add the year, and "?" in day-of-month or day-of-week), ${EXAMPLES}`;
    }
    for (const [i, field] of fields.entries()) {
      if (!CRON_FIELDS[i].pattern.test(field)) return `cron field ${CRON_FIELDS[i].name} "${field}" has characters Scheduler does not accept there`;
    }
    const [, , dayOfMonth, , dayOfWeek] = fields;
    if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
      return `needs "?" in exactly one of day-of-month ("${dayOfMonth}") and day-of-week ("${dayOfWeek}"): Scheduler cannot combine both, e.g. "cron(0 3 * * ? *)"`;
    }
    return undefined;
  }
  const at = AT.exec(expression);
  if (at) {
    const [, y, mo, d, h, mi, s] = at.map(Number);
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return "is not a real date and time";
    return undefined;
  }
  return `must be a Scheduler expression, ${EXAMPLES}`;
}

let zones: Set<string> | undefined;

/** IANA time zone names this Node knows (the tz database Scheduler uses too), plus UTC. */
function timeZones(): Set<string> {
  zones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "Etc/UTC"]);
  return zones;
}

/** Why `zone` is not an IANA time zone name, or undefined when it is one. */
export function timeZoneProblem(zone: string): string | undefined {
  if (timeZones().has(zone)) return undefined;
  const lower = zone.toLowerCase().replace(/ /g, "_");
  const near = [...timeZones()].filter((z) => z.toLowerCase() === lower || z.toLowerCase().endsWith(`/${lower}`));
  return `must be an IANA time zone name such as "Asia/Tokyo", "Europe/Berlin" or "UTC"${near.length ? `; did you mean "${near[0]}"?` : ""}`;
}
