import type { Rng } from "@netmarl/envs";
import { BayesianNetworkDag, type DagKind } from "../dag/bayesian-network-dag.js";
import { type DeviationInformation, evaluatePolicy, nashGap, optimalObjective } from "./exact-evaluation.js";
import { exactPolicyGradient } from "./policy-gradient.js";
import { TabularBnPolicy } from "./tabular-bn-policy.js";
import { checkTabularGame, type TabularGame } from "./tabular-game.js";

/**
 * Exact softmax BN policy-gradient ascent (BN-DAG §5, Figure 3), the protocol of the original
 * `Tabular_Coordination_Game/run.py`: θ ~ N(0, 1), plain SGD with lr 0.01 on the exact gradient,
 * global gradient-norm clip 1e3 (`clip_grad_norm_`), 2000 iterations; POA and Nash gap logged.
 */
export interface TabularBnTrainingOptions {
  game: TabularGame;
  /** A fixed DAG, or one of the tabular experiments' kinds. */
  dag: BayesianNetworkDag | DagKind;
  /** Draws θ's initial values. */
  rng: Rng;
  /** Start from these θ_i (one array per agent, [s][c][b]) instead of N(0, 1) draws. */
  initialLogits?: readonly Float64Array[];
  /** SGD step size η. Default 0.01 (`run.py`). */
  learningRate?: number;
  /** Global gradient-norm clip. Default 1e3 (`cg.py`). */
  maxGradNorm?: number;
  /** Gradient steps. Default 2000 (`run.py`). */
  iterations?: number;
  /** Compute the Nash gap every this many iterations (and at the last); 0 = never. Default 1. */
  nashGapEvery?: number;
  /**
   * The Nash gaps to compute, by what a deviating agent conditions on (see `bestResponseObjective`):
   * `state-and-parents` (the paper's definition for BN policies, default) and/or `state` (the
   * original code's `get_NE_Gap_i`).
   */
  deviations?: readonly DeviationInformation[];
}

export interface TabularBnTrainingResult {
  dag: BayesianNetworkDag;
  /** POA = J(π)/J* before each iteration's step and after the last: iterations + 1 entries. */
  priceOfAnarchy: Float64Array;
  /** Nash gaps at the same points, per requested deviation (NaN where not computed). */
  nashGap: Partial<Record<DeviationInformation, Float64Array>>;
  /** J*. */
  optimalObjective: number;
  policy: TabularBnPolicy;
}

export function trainTabularBnPolicy(options: TabularBnTrainingOptions): TabularBnTrainingResult {
  const { game, rng } = options;
  checkTabularGame(game);
  const learningRate = options.learningRate ?? 0.01;
  const maxGradNorm = options.maxGradNorm ?? 1e3;
  const iterations = options.iterations ?? 2000;
  const nashGapEvery = options.nashGapEvery ?? 1;
  const dag =
    typeof options.dag === "string" ? BayesianNetworkDag.of(options.dag, game.numAgents) : options.dag;
  if (dag.numAgents !== game.numAgents) {
    throw new RangeError(
      `trainTabularBnPolicy: the DAG has ${dag.numAgents} agents; the game has ${game.numAgents}`,
    );
  }
  const policy = options.initialLogits
    ? new TabularBnPolicy(dag, options.initialLogits)
    : TabularBnPolicy.random(dag, rng);
  const best = optimalObjective(game);
  const priceOfAnarchy = new Float64Array(iterations + 1);
  const joint = new Float64Array(game.numStates * game.numStates);
  const deviations = options.deviations ?? ["state-and-parents"];
  const gaps: Partial<Record<DeviationInformation, Float64Array>> = {};
  const responses: Partial<Record<DeviationInformation, Uint8Array[]>> = {};
  for (const deviation of deviations) {
    gaps[deviation] = new Float64Array(iterations + 1).fill(Number.NaN);
    responses[deviation] = Array.from(
      { length: game.numAgents },
      (_, agent) =>
        new Uint8Array(game.numStates * (deviation === "state" ? 1 : policy.numConfigurations[agent])),
    );
  }
  for (let iteration = 0; iteration <= iterations; iteration++) {
    policy.jointProbabilities(joint);
    const evaluation = evaluatePolicy(game, joint);
    priceOfAnarchy[iteration] = evaluation.objective / best;
    if (nashGapEvery > 0 && (iteration % nashGapEvery === 0 || iteration === iterations)) {
      for (const deviation of deviations)
        gaps[deviation]![iteration] = nashGap(
          game,
          policy,
          evaluation.objective,
          deviation,
          responses[deviation],
        );
    }
    if (iteration === iterations) break;
    const gradients = exactPolicyGradient(game, policy, joint, evaluation);
    let squared = 0;
    for (const g of gradients) for (let k = 0; k < g.length; k++) squared += g[k] * g[k];
    const norm = Math.sqrt(squared);
    // clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1
    const scale = norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1;
    gradients.forEach((g, agent) => {
      const table = policy.logits[agent];
      for (let k = 0; k < g.length; k++) table[k] += learningRate * scale * g[k];
    });
  }
  return { dag, priceOfAnarchy, nashGap: gaps, optimalObjective: best, policy };
}
