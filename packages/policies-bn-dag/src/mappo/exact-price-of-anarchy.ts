import { CoordinationGame } from "@netmarl/envs";
import { evaluatePolicy, optimalObjective } from "../tabular/exact-evaluation.js";
import { agentBit, tabularGameFromModel } from "../tabular/tabular-game.js";
import type { BnMappoLearner } from "./bn-mappo-learner.js";

/**
 * Exact POA of a BN-MAPPO policy on the coordination game (BNPG `cg.py::get_baysian_probs`,
 * `get_poa`): for every state s the deterministic DAG G(s) (no Gumbel noise) and the stochastic
 * policy π(a|s) = Π_i π_i(a_i | s, a_Pa(i)) enumerated over all 2ⁿ joint actions, then
 * J(π)/J* with the tabular solver (μ = 1/n, reward r of the current state, γ and ε of `game`).
 * Observations and state of state s are its bits (the coordination game's own encoding).
 */
export function exactPriceOfAnarchy(
  learner: BnMappoLearner,
  game: CoordinationGame = new CoordinationGame({ numAgents: learner.numAgents }),
): number {
  const n = learner.numAgents;
  if (game.numAgents !== n)
    throw new RangeError(`exactPriceOfAnarchy: the learner has ${n} agents; the game ${game.numAgents}`);
  if (learner.numActions !== 2)
    throw new RangeError(`exactPriceOfAnarchy: needs binary actions; the learner has ${learner.numActions}`);
  const tabular = tabularGameFromModel(game.tabularModel(), n);
  const size = tabular.numStates;
  const states = new Float32Array(size * n);
  for (let s = 0; s < size; s++) for (let i = 0; i < n; i++) states[s * n + i] = agentBit(s, i, n);
  const observations = new Float32Array(size * n * n);
  for (let s = 0; s < size; s++)
    for (let agent = 0; agent < n; agent++)
      observations.set(states.subarray(s * n, (s + 1) * n), (s * n + agent) * n);
  const { features, adjacency } = learner.inspect(observations, size);
  const H = learner.actor.featureSize;
  const joint = new Float64Array(size * size);
  const oneHot = new Float32Array(n * 2);
  const logits = new Float64Array(2);
  for (let s = 0; s < size; s++) {
    for (let a = 0; a < size; a++) {
      oneHot.fill(0);
      for (let i = 0; i < n; i++) oneHot[i * 2 + agentBit(a, i, n)] = 1;
      let p = 1;
      for (let agent = 0; agent < n; agent++) {
        learner.actor.headLogitsInto(
          agent,
          features,
          (s * n + agent) * H,
          oneHot,
          adjacency,
          s * n * n,
          logits,
        );
        const own = agentBit(a, agent, n);
        p *= 1 / (1 + Math.exp(logits[1 - own] - logits[own]));
      }
      joint[s * size + a] = p;
    }
  }
  return evaluatePolicy(tabular, joint).objective / optimalObjective(tabular);
}
