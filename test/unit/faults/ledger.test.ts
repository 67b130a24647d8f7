/** The fault suite's search for secrets in histories and logs: exact, and in one pass over each text. */
import { describe, expect, it } from 'vitest';
import { findIn } from '../../../tools/faults/ledger';

describe('findIn', () => {
  const secret = 'secret-AbCdEfGhIjKlMnOpQrStUvWx';
  const token = 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4';

  it('finds a secret or token wherever it stands: alone, quoted, inside a longer word, after Bearer', () => {
    const texts: [string, string][] = [
      ['log', `login with ${secret}.`],
      ['history', `{"authorization":"Bearer ${token}"}`],
      ['glued', `x${secret}y`],
      ['clean', 'nothing here but secret-AbCdEfGhIjKlMnOpQrStUvW and a Zm9vYmFy'],
      ['spaced', 'with spaces: a b c'],
    ];
    expect(findIn([secret, token, 'a b c'], texts)).toEqual([
      'log contains secret…',
      'history contains Zm9vYm…',
      'glued contains secret…',
      'spaced contains a b c…',
    ]);
  });

  it('reads thousands of secrets against long texts in one pass', () => {
    const secrets = Array.from({ length: 5_000 }, (_, i) => `secret-${String(i).padStart(24, '0')}`);
    const text = `${'{"event":"ACTIVITY_TASK_SCHEDULED","input":"jobs/x/sha256-00ff"} '.repeat(20_000)}${secrets[4_321]}`;
    expect(findIn(secrets, [['history', text]])).toEqual(['history contains secret…']);
  });
});
