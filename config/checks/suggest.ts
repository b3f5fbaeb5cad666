/**
 * "Did you mean" for typos in configuration values.
 *
 * A 20-line Levenshtein distance is all the checks need (candidate lists are tens of short
 * strings); a dependency (e.g. `fastest-levenshtein`) would add a package to audit for no gain.
 */

/** Edit distance (insertions, deletions, substitutions) between `a` and `b`. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidate nearest to `value` when it is plausibly a typo of it (distance at most a third
 * of the value's length, at least 1, at most 3), else undefined. Ties keep the first candidate.
 */
export function nearest(value: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(value.length / 3)));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(value.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** ` (did you mean "x"?)` or "" when nothing is close. */
export function didYouMean(value: string, candidates: readonly string[]): string {
  const match = nearest(value, candidates);
  return match && match !== value ? ` (did you mean "${match}"?)` : "";
}
