/**
 * The exact model the tabular BN policy gradient works on: n binary-action agents, S = A = 2ⁿ,
 * transitions P(s' | a) that do not depend on s (the coordination game's, BN-DAG §6.1), reward
 * r(s) of the *current* state as the tabular original (`Tabular_Coordination_Game/cg.py`).
 * Index convention for states and joint actions: agent 0 is the most significant bit.
 */
export interface TabularGame {
  numAgents: number;
  /** 2ⁿ. */
  numStates: number;
  /** r(s). */
  stateReward: Float64Array;
  /** P(s' | a), row-major [a][s']. */
  transition: Float64Array;
  /** μ(s): the original weights every state by 1/n (not normalised); any non-negative weights work. */
  initialWeights: Float64Array;
  /** γ. */
  discount: number;
}

/** The largest n the exact solver accepts: S × A = 4ⁿ table entries, 65 536 at n = 8. */
export const MAX_TABULAR_AGENTS = 8;

/** Validates sizes and probabilities; errors name the field. */
export function checkTabularGame(game: TabularGame): void {
  const n = game.numAgents;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TABULAR_AGENTS) {
    throw new RangeError(
      `tabular BN policy gradient: numAgents = ${n}; the exact solver handles 1..${MAX_TABULAR_AGENTS} agents (n = ${n} would need ${Number.isInteger(n) && n > 0 ? 4 ** n : "?"} joint state-action entries and 2^${n}-sized linear systems per iteration)`,
    );
  }
  const size = 2 ** n;
  if (game.numStates !== size)
    throw new RangeError(`tabular game: numStates = ${game.numStates}; expected 2^${n} = ${size}`);
  for (const [field, array, length] of [
    ["stateReward", game.stateReward, size],
    ["transition", game.transition, size * size],
    ["initialWeights", game.initialWeights, size],
  ] as const) {
    if (array.length !== length)
      throw new RangeError(`tabular game: ${field} has ${array.length} entries; expected ${length}`);
  }
  for (let a = 0; a < size; a++) {
    let total = 0;
    for (let next = 0; next < size; next++) total += game.transition[a * size + next];
    if (Math.abs(total - 1) > 1e-9)
      throw new RangeError(`tabular game: transition row ${a} sums to ${total}; expected 1`);
  }
  if (!(game.discount >= 0 && game.discount < 1))
    throw new RangeError(`tabular game: discount = ${game.discount}; expected 0 <= γ < 1`);
}

/** The coordination game's exact model with the tabular original's μ(s) = 1/n. */
export function tabularGameFromModel(
  model: {
    numStates: number;
    stateReward: Float64Array;
    transition: Float64Array;
    referenceInitialWeights: Float64Array;
    discount: number;
  },
  numAgents: number,
): TabularGame {
  const game = {
    numAgents,
    numStates: model.numStates,
    stateReward: model.stateReward,
    transition: model.transition,
    initialWeights: model.referenceInitialWeights,
    discount: model.discount,
  };
  checkTabularGame(game);
  return game;
}

/** Bit of `agent` in a joint index (agent 0 = most significant). */
export function agentBit(index: number, agent: number, numAgents: number): number {
  return (index >> (numAgents - 1 - agent)) & 1;
}
