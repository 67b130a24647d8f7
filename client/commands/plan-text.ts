/** `wfm-bulk plan` for people: each tenant's rows per class, then the first rows that would not land. */
import { wouldLand, type Preview } from '../jobs/preview';

/** Rows that would not land shown in text; `-o json` and `--report` have every row. */
const SHOWN_REFUSALS = 20;

export function printPreview(preview: Preview, say: (line: string) => void): void {
  say(preview.jobId ? `plan (classes read by job ${preview.jobId}):` : 'plan:');
  for (const { tenantId, writer, classes } of preview.tenants) {
    const counts = Object.entries(classes).map(([name, count]) => `${count} ${name}`);
    say(`  ${tenantId} (${writer}): ${counts.join(', ')}`);
  }
  const refused = preview.rows.filter((row) => !wouldLand(row));
  if (refused.length === 0) {
    say(`all ${preview.rows.length} row(s) would land`);
    return;
  }
  say(`${refused.length} of ${preview.rows.length} row(s) would not land:`);
  for (const row of refused.slice(0, SHOWN_REFUSALS))
    say(`  line ${row.line}  ${row.tenantId}  ${row.id}  ${row.class}: ${row.message}`);
  if (refused.length > SHOWN_REFUSALS)
    say(`  … ${refused.length - SHOWN_REFUSALS} more (--report <file> or -o json lists every row)`);
}
