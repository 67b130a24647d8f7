/**
 * 10. Isolation over the whole run: the simulators' count of requests that used one tenant's token on another
 * tenant's data, summed over every scenario. A control first shows that the count does see such a request.
 */
import { startSimulator } from '../../simulator';
import { check, type Scenario, type ScenarioOutcome } from '../types';

/** One PUT with acme's token on globex's schedule, against a simulator of its own: it must be counted. */
async function crossUseIsCounted(): Promise<{ status: number; counted: number }> {
  const sim = await startSimulator({ orgs: [{ id: 'acme' }, { id: 'globex' }] });
  try {
    const credentials = Buffer.from('acme-client:acme-secret').toString('base64');
    const tokenResponse = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const put = await fetch(`${sim.url}/api/v2/wfm/schedules/globex-s1/assignments`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ assignments: [] }),
    });
    return { status: put.status, counted: sim.state.stats().orgs.acme!.crossOrgTokenUses };
  } finally {
    await sim.close();
  }
}

export const isolation: Scenario<Record<string, never>> = {
  id: 18,
  title: "no tenant's token used on another tenant's data",
  full: {},
  ci: {},
  async run(suite): Promise<ScenarioOutcome> {
    const { entries } = suite.ledger;
    const uses = entries.reduce((sum, entry) => sum + entry.crossOrgTokenUses, 0);
    const control = await crossUseIsCounted();
    const { jobs, ...figures } = suite.ledger.totals();
    return {
      ...figures,
      runs: jobs,
      secretsFound: 0,
      crossOrgTokenUses: uses,
      did: [
        `Summed the simulator's \`crossOrgTokenUses\` over every tenant of the ${entries.length} scenarios before; ` +
          'the figures of this row are the sums over those scenarios, runs = jobs.',
        "Control: on a simulator of its own, one PUT with acme's token to globex's schedule.",
      ],
      checks: [
        check(
          'the simulators count a cross-tenant use',
          control.status === 404 && control.counted === 1,
          `answered ${control.status}, counted ${control.counted}`,
        ),
        check(
          'no cross-tenant token use in the whole run',
          uses === 0,
          entries.map((entry) => `${entry.scenario}: ${entry.crossOrgTokenUses}`).join(', '),
        ),
      ],
      notes: [],
    };
  },
};
