import { solveLinearSystem } from "./linear-solve.js";
import type { TabularBnPolicy } from "./tabular-bn-policy.js";
import { agentBit, type TabularGame } from "./tabular-game.js";

/** Exact quantities of a joint policy π (BN-DAG §5; spec §3.3). */
export interface PolicyEvaluation {
  /** V(s) = [(I − γP_π)⁻¹ r](s). */
  values: Float64Array;
  /** ρ(s) = [μᵀ(I − γP_π)⁻¹](s), the unnormalised discounted visitation; d(s) = (1 − γ)ρ(s). */
  visitation: Float64Array;
  /** Q(s, a) = r(s) + γ Σ_s' P(s'|a) V(s'), row-major [s][a]. */
  qValues: Float64Array;
  /** J(π) = μᵀV. */
  objective: number;
}

/** V, ρ, Q and J of the joint policy `joint` (S × A, [s][a]) by two exact linear solves. */
export function evaluatePolicy(game: TabularGame, joint: Float64Array): PolicyEvaluation {
  const size = game.numStates;
  const stateTransition = new Float64Array(size * size);
  for (let state = 0; state < size; state++) {
    const row = state * size;
    for (let action = 0; action < size; action++) {
      const p = joint[row + action];
      if (p === 0) continue;
      const transitionRow = action * size;
      for (let next = 0; next < size; next++)
        stateTransition[row + next] += p * game.transition[transitionRow + next];
    }
  }
  const values = solveDiscounted(game, stateTransition, game.stateReward, false);
  const visitation = solveDiscounted(game, stateTransition, game.initialWeights, true);
  const continuation = expectedNextValues(game, values);
  const qValues = new Float64Array(size * size);
  for (let state = 0; state < size; state++)
    for (let action = 0; action < size; action++)
      qValues[state * size + action] = game.stateReward[state] + game.discount * continuation[action];
  return { values, visitation, qValues, objective: dot(game.initialWeights, values) };
}

/**
 * J* = μᵀV* of the centralised joint-action MDP. The original runs value iteration to ‖ΔQ‖₂ ≤ 1e-4;
 * here policy iteration finishes exactly (each policy evaluated by a linear solve), so J* is exact
 * and POA = J/J* ≤ 1 holds without a tolerance.
 */
export function optimalObjective(game: TabularGame): number {
  const size = game.numStates;
  const chosen = new Int32Array(size);
  for (let iteration = 0; iteration < 1000; iteration++) {
    const stateTransition = new Float64Array(size * size);
    for (let state = 0; state < size; state++)
      stateTransition.set(
        game.transition.subarray(chosen[state] * size, (chosen[state] + 1) * size),
        state * size,
      );
    const values = solveDiscounted(game, stateTransition, game.stateReward, false);
    const continuation = expectedNextValues(game, values);
    let changed = false;
    for (let state = 0; state < size; state++) {
      let best = chosen[state];
      for (let action = 0; action < size; action++)
        if (continuation[action] > continuation[best] + 1e-12) best = action;
      if (best !== chosen[state]) {
        chosen[state] = best;
        changed = true;
      }
    }
    if (!changed) return dot(game.initialWeights, values);
  }
  throw new Error("optimalObjective: policy iteration did not converge in 1000 iterations");
}

/** What a deviating agent may condition on in {@link bestResponseObjective}. */
export type DeviationInformation = "state-and-parents" | "state";

/**
 * Agent i's best-response value max_{π'_i} J(π'_i, π_−i) with every other agent keeping its BN
 * conditional (children still react to i's action). `state-and-parents`: π'_i is a local policy
 * of the BN, a function of (s, a_Pa(i)) — Definition 3.1 applied to BN policies (§4 remark (i)),
 * under which the Nash gap is ≥ 0 by construction. `state`: π'_i sees only s (the spec's
 * P_i(s'|s, a_i) = Σ_{a−i} π(a|s)/π_i(a_i|s, a_Pa(i)) P(s'|a)). Exact, by policy iteration over
 * deterministic responses f(s, key) where key = the parent configuration (or nothing).
 * `warmStart` (S × keys, updated in place) starts policy iteration from an earlier response.
 */
export function bestResponseObjective(
  game: TabularGame,
  policy: TabularBnPolicy,
  agent: number,
  information: DeviationInformation = "state-and-parents",
  warmStart?: Uint8Array,
): number {
  const size = game.numStates;
  const n = game.numAgents;
  const others = policy.othersProbabilities(agent);
  const conditional = information === "state-and-parents";
  const keys = conditional ? policy.numConfigurations[agent] : 1;
  const keyOf = policy.parentConfiguration[agent];
  // the previous iteration's response as a start: policy iteration still ends at the exact optimum
  const response = warmStart?.length === size * keys ? warmStart : new Uint8Array(size * keys);
  for (let iteration = 0; iteration < 1000; iteration++) {
    const stateTransition = new Float64Array(size * size);
    for (let state = 0; state < size; state++) {
      const row = state * size;
      for (let action = 0; action < size; action++) {
        const key = conditional ? keyOf[action] : 0;
        if (agentBit(action, agent, n) !== response[state * keys + key]) continue;
        const p = others[row + action];
        if (p === 0) continue;
        for (let next = 0; next < size; next++)
          stateTransition[row + next] += p * game.transition[action * size + next];
      }
    }
    const values = solveDiscounted(game, stateTransition, game.stateReward, false);
    const continuation = expectedNextValues(game, values);
    const scores = new Float64Array(keys * 2);
    let changed = false;
    for (let state = 0; state < size; state++) {
      scores.fill(0);
      for (let action = 0; action < size; action++) {
        const key = conditional ? keyOf[action] : 0;
        scores[key * 2 + agentBit(action, agent, n)] += others[state * size + action] * continuation[action];
      }
      for (let key = 0; key < keys; key++) {
        const current = response[state * keys + key];
        const other = 1 - current;
        if (scores[key * 2 + other] > scores[key * 2 + current] + 1e-12) {
          response[state * keys + key] = other;
          changed = true;
        }
      }
    }
    if (!changed) return dot(game.initialWeights, values);
  }
  throw new Error("bestResponseObjective: policy iteration did not converge in 1000 iterations");
}

/** Nash-gap(π) = max_i (max_{π'_i} J(π'_i, π_−i) − J(π)) (§6.1); `warmStarts` one per agent. */
export function nashGap(
  game: TabularGame,
  policy: TabularBnPolicy,
  objective: number,
  information: DeviationInformation = "state-and-parents",
  warmStarts?: Uint8Array[],
): number {
  let gap = Number.NEGATIVE_INFINITY;
  for (let agent = 0; agent < game.numAgents; agent++) {
    const best = bestResponseObjective(game, policy, agent, information, warmStarts?.[agent]);
    gap = Math.max(gap, best - objective);
  }
  return gap;
}

/** Σ_s' P(s'|a) V(s') for every joint action a. */
function expectedNextValues(game: TabularGame, values: Float64Array): Float64Array {
  const size = game.numStates;
  const out = new Float64Array(size);
  for (let action = 0; action < size; action++) {
    let sum = 0;
    for (let next = 0; next < size; next++) sum += game.transition[action * size + next] * values[next];
    out[action] = sum;
  }
  return out;
}

/** x = (I − γP)⁻¹ b, or xᵀ = bᵀ(I − γP)⁻¹ when `transpose`. */
function solveDiscounted(
  game: TabularGame,
  stateTransition: Float64Array,
  rhs: Float64Array,
  transpose: boolean,
): Float64Array {
  const size = game.numStates;
  const system = new Float64Array(size * size);
  for (let k = 0; k < size * size; k++) system[k] = -game.discount * stateTransition[k];
  for (let s = 0; s < size; s++) system[s * size + s] += 1;
  return solveLinearSystem(system, size, rhs, transpose);
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k] * b[k];
  return sum;
}
