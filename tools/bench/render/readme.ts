/**
 * Replacing the text between two markers of a hand-written file. The bench no longer writes the README (its
 * figures live in docs/PERFORMANCE.md alone); kept for `test/unit/bench/render.test.ts`. Pure.
 */

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

/** `text` with what lies between the markers replaced by `content`; throws when the markers are missing. */
export function replaceBetweenMarkers(text: string, content: string, start = README_START, end = README_END): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`markers ${start} … ${end} not found`);
  return `${text.slice(0, from + start.length)}\n\n${content.trim()}\n\n${text.slice(to)}`;
}
