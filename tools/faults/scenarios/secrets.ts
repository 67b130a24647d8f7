/**
 * 9. After every other scenario: every client secret and every access token any scenario's simulator issued,
 * searched in every workflow history (payloads decoded) of every job and every log captured in the run.
 */
import { findIn } from '../ledger';
import { check, type Scenario, type ScenarioOutcome } from '../types';

const mebibytes = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

export const secrets: Scenario<Record<string, never>> = {
  id: 17,
  title: 'no secret or token in any history or log of the run',
  full: {},
  ci: {},
  run(suite): Promise<ScenarioOutcome> {
    const { ledger } = suite;
    // The suite's own processes (its dev server) belong to no scenario: their logs are searched too.
    const texts = [
      ...ledger.texts(),
      ...Object.entries(suite.logs ?? {}).map(([where, text]): [string, string] => [where, text()]),
    ];
    const histories = texts.filter(([where]) => where.includes(': history of ')).length;
    const characters = texts.reduce((sum, [, text]) => sum + text.length, 0);
    const all = ledger.secrets();
    const hits = findIn(all, texts);
    const unread = ledger.entries.flatMap((entry) => entry.unread);
    const { jobs, ...figures } = ledger.totals();
    return Promise.resolve({
      ...figures,
      runs: jobs,
      secretsFound: hits.length,
      crossOrgTokenUses: ledger.entries.reduce((sum, entry) => sum + entry.crossOrgTokenUses, 0),
      did: [
        `Gathered from the scenarios before: ${all.length} client secrets and access tokens, ` +
          `${histories} workflow histories (every run of every job and tenant workflow, payloads decoded to text) and ` +
          `${texts.length - histories} logs (worker processes, CLI runs, dev server): ${mebibytes(characters)} of text.`,
        'Every secret and token searched in every text, across scenarios too. The figures of this row are the sums ' +
          'over the scenarios searched; runs = jobs.',
      ],
      checks: [
        check(
          'secrets, tokens and every history were gathered',
          all.length > 0 && histories > 0 && unread.length === 0,
          `${all.length} secrets and tokens, ${histories} histories` +
            (unread.length > 0 ? `; could not read: ${unread.join('; ')}` : ''),
        ),
        check('none found anywhere', hits.length === 0, hits.length === 0 ? '0 hits' : hits.slice(0, 20).join('; ')),
      ],
      notes: [],
    });
  },
};
