/**
 * Picks `limit` of `expired` at random with a partial Knuth shuffle, as Eureka's `evict` does:
 * "if we do not that, we might wipe out whole apps before self preservation kicks in".
 */
export function pickForEviction<T>(
  expired: readonly T[],
  limit: number,
  random: () => number,
): T[] {
  const pool = [...expired];
  const count = Math.min(pool.length, Math.max(0, limit));
  for (let i = 0; i < count; i += 1) {
    const next = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[next]] = [pool[next]!, pool[i]!];
  }
  return pool.slice(0, count);
}
