/** A seeded pseudo-random generator (an LCG): fuzz inputs, kill moments and fake latencies that replay exactly. */
export function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
