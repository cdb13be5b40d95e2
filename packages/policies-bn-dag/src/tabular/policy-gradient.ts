import type { PolicyEvaluation } from "./exact-evaluation.js";
import type { TabularBnPolicy } from "./tabular-bn-policy.js";
import { agentBit, type TabularGame } from "./tabular-game.js";

/**
 * The exact BN policy gradient (BN-DAG Theorem 5.1; spec §3.3):
 *   ∂J/∂θ_i[s, c, b] = Σ_a ρ(s) Q(s, a) π(a|s) · 1[a_Pa(i) = c] · (1[a_i = b] − π_i(b | s, c)),
 * ρ(s) = d(s)/(1 − γ) — the gradient of the original's loss −1/(1−γ) Σ d(s)Q(s,a)π(a|s) with d
 * and Q held fixed, negated. One array per agent, shaped like θ_i.
 */
export function exactPolicyGradient(
  game: TabularGame,
  policy: TabularBnPolicy,
  joint: Float64Array,
  evaluation: PolicyEvaluation,
): Float64Array[] {
  const n = game.numAgents;
  const size = game.numStates;
  const gradients = policy.logits.map((table) => new Float64Array(table.length));
  for (let state = 0; state < size; state++) {
    const visitation = evaluation.visitation[state];
    for (let action = 0; action < size; action++) {
      const weight = visitation * evaluation.qValues[state * size + action] * joint[state * size + action];
      if (weight === 0) continue;
      for (let agent = 0; agent < n; agent++) {
        const configuration = policy.parentConfiguration[agent][action];
        const base = (state * policy.numConfigurations[agent] + configuration) * 2;
        const own = agentBit(action, agent, n);
        const pOne = policy.localProbability(agent, state, configuration, 1);
        // (1[a_i = b] − π_i(b)) for b = 0, 1
        gradients[agent][base] += weight * ((own === 0 ? 1 : 0) - (1 - pOne));
        gradients[agent][base + 1] += weight * ((own === 1 ? 1 : 0) - pOne);
      }
    }
  }
  return gradients;
}
