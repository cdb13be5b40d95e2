/**
 * Exact value of a learner's greedy joint policy on the coordination game, as a fraction of the
 * optimum: J(π)/J* with J = Σ_s μ(s)·V(s), μ the reset distribution `reset` really uses, and the
 * reward R(s') of the state reached (what `step` pays). The policy-bn-dag package reports POA in the
 * same convention (objective / optimal objective, 1 = optimal); trainers may not import it, so this
 * test helper solves the 2^N-state MDP itself (policy evaluation by iteration to 1e-12, J* by value
 * iteration). On this game the transition ignores s, so the optimum is a constant joint action
 * ("everyone plays 0" for the default tie margins) — the ratio measures which equilibrium a
 * learner reached, not that it learned something a constant policy could not.
 */
import type { CoordinationGame } from "@netmarl/envs";
import type { Learner } from "../contracts/learner.js";

export function greedyValueRatio(learner: Learner, game: CoordinationGame): number {
  const model = game.tabularModel();
  const n = game.numAgents;
  const size = model.numStates;
  const obs = new Float32Array(n * n);
  const policy = new Int32Array(size);
  for (let s = 0; s < size; s++) {
    for (let agent = 0; agent < n; agent++)
      for (let i = 0; i < n; i++) obs[agent * n + i] = (s >> (n - 1 - i)) & 1;
    const actions = learner.act(obs, game.graph(), { explore: false });
    let joint = 0;
    for (let i = 0; i < n; i++) joint = joint * 2 + actions[i];
    policy[s] = joint;
  }
  const learnt = solve(model, (values) => (s) => backup(model, values, policy[s]));
  const optimal = solve(model, (values) => () => {
    let best = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < size; a++) best = Math.max(best, backup(model, values, a));
    return best;
  });
  return objective(model, learnt) / objective(model, optimal);
}

type Model = ReturnType<CoordinationGame["tabularModel"]>;

/** Σ_{s'} P(s' | a)·(R(s') + γ·V(s')). */
function backup(model: Model, values: Float64Array, action: number): number {
  let total = 0;
  for (let next = 0; next < model.numStates; next++) {
    total +=
      model.transition[action * model.numStates + next] *
      (model.stateReward[next] + model.discount * values[next]);
  }
  return total;
}

function solve(model: Model, operator: (values: Float64Array) => (state: number) => number): Float64Array {
  let values = new Float64Array(model.numStates);
  for (let iteration = 0; iteration < 100_000; iteration++) {
    const apply = operator(values);
    const next = Float64Array.from(values, (_, s) => apply(s));
    let change = 0;
    for (let s = 0; s < next.length; s++) change = Math.max(change, Math.abs(next[s] - values[s]));
    values = next;
    if (change < 1e-12) break;
  }
  return values;
}

function objective(model: Model, values: Float64Array): number {
  let total = 0;
  for (let s = 0; s < model.numStates; s++) total += model.initialDistribution[s] * values[s];
  return total;
}
