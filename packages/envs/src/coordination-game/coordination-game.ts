/**
 * # Coordination game (BN-DAG paper, Chen & Zhang ICML 2023)
 *
 * | | |
 * |---|---|
 * | Agents | N (the original defines the tie margin l for N ∈ {2, 3, 5, 10}; other N need `tieMargin`) |
 * | Actions | `Discrete(2)` per agent: the bit the agent tries to set |
 * | Observation | the full state bits, N floats, identical for every agent (`Box([N], 0, 1)`) |
 * | State | the same N bits (`stateDim = N`) |
 * | Transition | independent per agent: s'_i = a_i with probability 1 − ε, flipped with ε = 0.1 |
 * | Reward | team reward R(s') to every agent, with c0/c1 the zeros/ones of s': if abs(c0 − c1) ≤ l then 1 when c0 < c1 else 0; otherwise 3 when c0 > c1, else 2 |
 * | Termination | none; truncated after 25 steps |
 * | Reset | each bit is 0 with probability 1/N |
 * | Source | `dchen48/BNPG` (b7cf8b2) `BN_MAPPO_Coordination_Game/onpolicy/envs/coordination_game/cg.py` and `Tabular_Coordination_Game/cg.py`; spec §5 |
 *
 * Index convention (states and joint actions): the binary number of the bits with **agent 0 the
 * most significant bit**, as `int(bits, 2)` in the original.
 *
 * The original's two versions differ in where the reward is read: the MAPPO environment (what
 * `step` does) pays R of the *next* state; the tabular code uses r(s, a) = R(s) of the current
 * state. {@link CoordinationGame.tabularModel} returns R over states so either can be built, and
 * also the original's unnormalised initial weighting μ(s) = 1/N next to the true reset distribution.
 */
import { z } from "zod";
import { EpisodeBuffers } from "../env/episode-buffers.js";
import type { EnvInfos, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { parseOptions } from "../env/parse-options.js";
import { validateActions } from "../env/validate-actions.js";
import { AgentGraph } from "../graph/agent-graph.js";
import { buildGraphScene, buildGraphState, circlePositions } from "../graph/graph-replay.js";
import { createRng, type Rng } from "../random/rng.js";
import type { GraphScene, GraphState } from "../replay/replay-format.js";
import type { ReplayableEnv } from "../replay/replayable.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";

/** The tie margin l of the original, per N (`l = {2: 1, 3: 1, 5: 2, 10: 3}[n]`). */
export const COORDINATION_GAME_TIE_MARGINS: Readonly<Record<number, number>> = { 2: 1, 3: 1, 5: 2, 10: 3 };

const optionsSchema = z
  .object({
    /** Number of agents N. */
    numAgents: z.number().int().min(2).max(30).default(3),
    /** Probability ε that an agent's next bit is the opposite of its action. */
    flipProbability: z.number().min(0).max(1).default(0.1),
    /** Tie margin l; defaults to the original's value for N ∈ {2, 3, 5, 10}. */
    tieMargin: z.number().int().min(0).optional(),
    /** Episode length (the original's `world_length`). */
    maxSteps: z.number().int().min(1).default(25),
    /** Probability that a bit is 0 at reset; the original uses 1/N. */
    initialZeroProbability: z.number().min(0).max(1).optional(),
    /** Discount γ reported to learners and used by `tabularModel`. */
    discount: z.number().min(0).max(1).default(0.95),
  })
  .strict();

export type CoordinationGameOptions = z.input<typeof optionsSchema>;

/** Exact model for tabular work (S = A = 2^N). */
export interface CoordinationGameTabularModel {
  numStates: number;
  numJointActions: number;
  /** R over states (index convention above). */
  stateReward: Float64Array;
  /** P(s' | a), row-major [a][s'] — the transition does not depend on s. */
  transition: Float64Array;
  /** The reset distribution actually used by `reset` (a product of Bernoulli bits). */
  initialDistribution: Float64Array;
  /** The tabular code's μ(s) = 1/N for every state (not normalised: sums to 2^N / N). */
  referenceInitialWeights: Float64Array;
  /** γ. */
  discount: number;
}

export class CoordinationGame implements MultiAgentEnv, ReplayableEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly spec;
  readonly numAgents: number;
  readonly flipProbability: number;
  readonly tieMargin: number;
  readonly initialZeroProbability: number;
  readonly discount: number;

  private rng: Rng;
  private readonly bits: Uint8Array;
  private readonly episode: EpisodeBuffers;
  private readonly obs: Float32Array;
  private readonly stateVector: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: EnvInfos;
  private readonly options: z.output<typeof optionsSchema>;
  private readonly completeGraph: AgentGraph;

  constructor(options: CoordinationGameOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, "coordination-game options");
    this.options = config;
    const n = config.numAgents;
    const margin = config.tieMargin ?? COORDINATION_GAME_TIE_MARGINS[n];
    if (margin === undefined) {
      throw new RangeError(
        `coordination-game options: numAgents = ${n} has no tie margin in the original game (defined for N = 2, 3, 5, 10); pass tieMargin`,
      );
    }
    this.numAgents = n;
    this.flipProbability = config.flipProbability;
    this.tieMargin = margin;
    this.initialZeroProbability = config.initialZeroProbability ?? 1 / n;
    this.discount = config.discount;
    this.rng = rng;
    this.spec = {
      id: "coordination-game",
      numAgents: n,
      obsDim: n,
      observationSpace: new Box([n], 0, 1),
      actionSpace: new Discrete(2),
      stateDim: n,
      maxSteps: config.maxSteps,
    };
    this.bits = new Uint8Array(n);
    this.episode = new EpisodeBuffers(this.spec.id, n, this.spec.obsDim, this.spec.stateDim, {});
    this.obs = this.episode.obs;
    this.stateVector = this.episode.state;
    this.rewards = this.episode.rewards;
    this.terminated = this.episode.terminated;
    this.truncated = this.episode.truncated;
    this.infos = this.episode.infos;
    this.completeGraph = AgentGraph.complete(n);
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    for (let i = 0; i < this.numAgents; i++)
      this.bits[i] = this.rng.uniform() < this.initialZeroProbability ? 0 : 1;
    this.episode.startEpisode();
    this.writeObservations();
    return { obs: this.obs, state: this.stateVector, infos: this.infos };
  }

  step(actions: ArrayLike<number>): StepResult {
    this.episode.assertRunning();
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    for (let i = 0; i < this.numAgents; i++) {
      const flipped = this.rng.uniform() < this.flipProbability;
      this.bits[i] = flipped ? 1 - actions[i] : actions[i];
    }
    this.rewards.fill(this.rewardOfBits(this.bits));
    this.writeObservations();
    return this.episode.finishStep(this.spec.maxSteps);
  }

  /** Every agent may condition on every other: the candidate set of the learned DAG. */
  replayScene(): GraphScene {
    return buildGraphScene(circlePositions(this.numAgents), ["0", "1"]);
  }

  replayState(): GraphState {
    return buildGraphState(this.bits, "bit");
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  graph(): AgentGraph {
    return this.completeGraph;
  }

  /** Index of the current state: the bits as a binary number, agent 0 the most significant bit. */
  stateIndex(): number {
    let index = 0;
    for (let i = 0; i < this.numAgents; i++) index = index * 2 + this.bits[i];
    return index;
  }

  /** R of a state given by its index (agent 0 = most significant bit). */
  rewardOfState(stateIndex: number): number {
    const ones = popcount(stateIndex);
    return this.rewardOfCounts(this.numAgents - ones, ones);
  }

  /** The exact transition and reward tables (N ≤ 12, so the A × S table stays ≤ 128 MiB). */
  tabularModel(): CoordinationGameTabularModel {
    const n = this.numAgents;
    if (n > 12)
      throw new RangeError(`coordination-game.tabularModel: numAgents = ${n}; the exact tables need N <= 12`);
    const size = 2 ** n;
    const epsilon = this.flipProbability;
    const stateReward = new Float64Array(size);
    const initialDistribution = new Float64Array(size);
    const p0 = this.initialZeroProbability;
    for (let s = 0; s < size; s++) {
      stateReward[s] = this.rewardOfState(s);
      const ones = popcount(s);
      initialDistribution[s] = (1 - p0) ** ones * p0 ** (n - ones);
    }
    const transition = new Float64Array(size * size);
    for (let a = 0; a < size; a++) {
      for (let next = 0; next < size; next++) {
        const mismatches = popcount(a ^ next);
        transition[a * size + next] = epsilon ** mismatches * (1 - epsilon) ** (n - mismatches);
      }
    }
    return {
      numStates: size,
      numJointActions: size,
      stateReward,
      transition,
      initialDistribution,
      referenceInitialWeights: new Float64Array(size).fill(1 / n),
      discount: this.discount,
    };
  }

  private rewardOfBits(bits: Uint8Array): number {
    let ones = 0;
    for (let i = 0; i < bits.length; i++) ones += bits[i];
    return this.rewardOfCounts(bits.length - ones, ones);
  }

  private rewardOfCounts(zeros: number, ones: number): number {
    if (Math.abs(zeros - ones) <= this.tieMargin) return zeros < ones ? 1 : 0;
    return zeros > ones ? 3 : 2;
  }

  private writeObservations(): void {
    const n = this.numAgents;
    for (let i = 0; i < n; i++) this.stateVector[i] = this.bits[i];
    for (let agent = 0; agent < n; agent++) this.obs.set(this.stateVector, agent * n);
  }
}

function popcount(value: number): number {
  let count = 0;
  for (let v = value; v !== 0; v &= v - 1) count++;
  return count;
}
