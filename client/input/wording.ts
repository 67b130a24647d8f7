/** Longest piece of file content repeated in a message. */
const MAX_QUOTED = 60;

/**
 * Quotes a value taken from the input file for a message: JSON escaping keeps control characters (and
 * terminal escape sequences) out of the user's terminal, and long values are cut.
 */
export function quote(value: string, max = MAX_QUOTED): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/** "a", "b", "c" and 4 more */
export function quoteList(values: readonly string[], max = 10): string {
  const shown = values.slice(0, max).map((value) => quote(value));
  return values.length > max ? `${shown.join(', ')} and ${values.length - max} more` : shown.join(', ');
}

/** A name in `candidates` that differs from `name` only in case, spaces, "-" or "_", to suggest it. */
export function similarName(name: string, candidates: Iterable<string>): string | undefined {
  const simplify = (value: string) => value.toLowerCase().replace(/[\s_-]/g, '');
  const wanted = simplify(name);
  if (wanted === '') return undefined;
  for (const candidate of candidates) if (simplify(candidate) === wanted) return candidate;
  return undefined;
}

/** " (did you mean "userId"?)" or "" */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const match = similarName(name, candidates);
  return match === undefined || match === name ? '' : ` (did you mean ${quote(match)}?)`;
}

/** "null", "an array", "a string"… for messages about a JSON value of the wrong kind. */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** "1 cell", "3 cells" */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
