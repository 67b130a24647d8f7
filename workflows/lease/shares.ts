/**
 * A tenant's concurrency shared between the jobs writing to it: equal shares among the active members (a paused
 * job's goes to the others), one more for the earliest joined while some remain. Every active member gets at
 * least one; with more jobs than slots the holder's Worker still allows only the tenant's concurrency at once,
 * and its task queue serves the jobs' batches in turn.
 *
 * @returns each member's share, in the members' order
 */
export function sharesOf(members: readonly { active: boolean }[], concurrency: number): number[] {
  const active = members.filter((member) => member.active).length;
  if (active === 0) return members.map(() => 0);
  const base = Math.max(1, Math.floor(concurrency / active));
  let extra = active * base < concurrency ? concurrency - active * base : 0;
  return members.map((member) => {
    if (!member.active) return 0;
    if (extra === 0) return base;
    extra--;
    return base + 1;
  });
}
