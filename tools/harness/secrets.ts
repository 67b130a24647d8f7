/** Looks for every client secret and every access token the simulator issued in texts of a run. */
import type { World } from './world';

export function secretsOf(world: World): string[] {
  const secrets = world.sim.state.config.orgs.flatMap((org) => org.clients.map((client) => client.clientSecret));
  const tokens = world.sim.state.issuedTokens().map((token) => token.token);
  return [...secrets, ...tokens];
}

/** Each secret found, with where: `history of X`, `worker log`, … */
export function findSecrets(world: World, texts: Record<string, string>): string[] {
  const found: string[] = [];
  for (const secret of secretsOf(world)) {
    for (const [where, text] of Object.entries(texts))
      if (text.includes(secret)) found.push(`${where} contains ${secret.slice(0, 6)}…`);
  }
  return found;
}
