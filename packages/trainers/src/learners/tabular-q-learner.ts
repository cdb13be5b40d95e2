/**
 * Independent tabular Q-learning (IQL in its original, table form; Tan 1993): each agent keeps
 * Q(o, a) over its own discrete observations and learns online from its own reward, treating the
 * other agents as part of the environment. For small discrete tasks (the coordination game, Aloha)
 * and as a learner whose state changes every step, which the checkpoint tests need.
 *
 * Observations are looked up by a 32-bit FNV-1a hash of their float32 bytes; on small observation
 * sets (hundreds of distinct vectors) a collision is vanishingly unlikely (birthday bound ~n²/2³³).
 */
import { type EnvSpec, type Rng, Rng as RngClass, type RngState } from "@netmarl/envs";
import { z } from "zod";
import { defineAlgorithm } from "../contracts/algorithm-definition.js";
import type { Learner, LearnerState, Metrics, Transition } from "../contracts/learner.js";

const configSchema = z
  .object({
    /** Step size α of the Q update. */
    learningRate: z.number().gt(0).max(1).default(0.1),
    /** Discount γ. */
    discount: z.number().min(0).max(1).default(0.95),
    /** ε of ε-greedy exploration at the start … */
    epsilonStart: z.number().min(0).max(1).default(1),
    /** … decayed linearly to this … */
    epsilonEnd: z.number().min(0).max(1).default(0.05),
    /** … over this many environment steps. */
    epsilonDecaySteps: z.number().int().min(1).default(10_000),
    /** One table shared by all agents (parameter sharing) instead of one per agent. */
    shareParameters: z.boolean().default(false),
    /** Distinct observations one table may hold before the run stops: more means they are continuous. */
    maxTableRows: z.number().int().min(1).default(1_000_000),
  })
  .strict();

export type TabularQConfig = z.output<typeof configSchema>;

export class TabularQLearner implements Learner {
  private readonly tables: Map<number, Float64Array>[];
  private readonly numActions: number;
  private readonly actions: Int32Array;
  /** Q of an observation never trained on (all zeros), for evaluation lookups that add no row. */
  private readonly unseenRow: Float64Array;
  private steps = 0;
  private squaredTdSum = 0;
  private tdCount = 0;

  constructor(
    private readonly envSpec: EnvSpec,
    private readonly config: TabularQConfig,
    private rng: Rng,
  ) {
    if (envSpec.actionSpace.kind !== "discrete") {
      throw new RangeError(
        `tabular-q: needs a Discrete action space; ${envSpec.id} has ${envSpec.actionSpace}`,
      );
    }
    const { low, high } = envSpec.observationSpace;
    for (let i = 0; i < low.length; i++) {
      if (!Number.isFinite(low[i]) || !Number.isFinite(high[i])) {
        throw new RangeError(
          `tabular-q: needs discrete observations; ${envSpec.id}'s observation entry ${i} is continuous and unbounded ([${low[i]}, ${high[i]}]); use a function-approximation learner such as dqn or mappo`,
        );
      }
    }
    this.numActions = envSpec.actionSpace.n;
    const count = config.shareParameters ? 1 : envSpec.numAgents;
    this.tables = Array.from({ length: count }, () => new Map());
    this.actions = new Int32Array(envSpec.numAgents);
    this.unseenRow = new Float64Array(this.numActions);
  }

  get epsilon(): number {
    const { epsilonStart, epsilonEnd, epsilonDecaySteps } = this.config;
    const progress = Math.min(1, this.steps / epsilonDecaySteps);
    return epsilonStart + (epsilonEnd - epsilonStart) * progress;
  }

  act(observations: Float32Array, _graph: unknown, options: { explore: boolean }): Int32Array {
    if (!options.explore) return this.actGreedily(observations);
    const epsilon = this.epsilon;
    for (let agent = 0; agent < this.envSpec.numAgents; agent++) {
      if (epsilon > 0 && this.rng.uniform() < epsilon) {
        this.actions[agent] = this.rng.int(this.numActions);
      } else {
        const q = this.row(agent, observations);
        const ties = this.ties(q);
        this.actions[agent] = this.greedy(q, ties > 1 ? this.rng.int(ties) : 0);
      }
    }
    return this.actions;
  }

  /**
   * Evaluation: reads the tables without adding rows and never draws from the learner's Rng, so
   * training does not depend on how often it is evaluated. Ties (unseen observations included)
   * are broken by the observation's hash, not always towards action 0.
   */
  private actGreedily(observations: Float32Array): Int32Array {
    const dim = this.envSpec.obsDim;
    for (let agent = 0; agent < this.envSpec.numAgents; agent++) {
      const key = hashFloats(observations, agent * dim, dim);
      const q = this.tables[this.config.shareParameters ? 0 : agent].get(key) ?? this.unseenRow;
      this.actions[agent] = this.greedy(q, (key + agent) % this.ties(q));
    }
    return this.actions;
  }

  observe(transition: Transition): void {
    const { learningRate, discount } = this.config;
    for (let agent = 0; agent < this.envSpec.numAgents; agent++) {
      const q = this.row(agent, transition.obs);
      const next = this.row(agent, transition.nextObs);
      const action = transition.actions[agent];
      const bootstrap = transition.terminated[agent] === 1 ? 0 : discount * max(next);
      const td = transition.rewards[agent] + bootstrap - q[action];
      q[action] += learningRate * td;
      this.squaredTdSum += td * td;
      this.tdCount++;
    }
    this.steps++;
  }

  update(): Metrics {
    if (this.tdCount === 0) return {};
    const metrics = { "loss/td": this.squaredTdSum / this.tdCount, epsilon: this.epsilon };
    this.squaredTdSum = 0;
    this.tdCount = 0;
    return metrics;
  }

  state(): LearnerState {
    return {
      algorithm: "tabular-q",
      steps: this.steps,
      squaredTdSum: this.squaredTdSum,
      tdCount: this.tdCount,
      rng: this.rng.getState(),
      tables: this.tables.map((table) => [...table.entries()].map(([key, values]) => [key, ...values])),
    };
  }

  load(state: LearnerState): void {
    if (
      state.algorithm !== "tabular-q" ||
      !Array.isArray(state.tables) ||
      state.tables.length !== this.tables.length
    ) {
      throw new RangeError(`tabular-q.load: expected a tabular-q state with ${this.tables.length} table(s)`);
    }
    this.steps = state.steps as number;
    this.squaredTdSum = state.squaredTdSum as number;
    this.tdCount = state.tdCount as number;
    this.rng = RngClass.fromState(state.rng as RngState);
    (state.tables as number[][][]).forEach((entries, t) => {
      this.tables[t].clear();
      for (const [key, ...values] of entries) this.tables[t].set(key, Float64Array.from(values));
    });
  }

  dispose(): void {
    for (const table of this.tables) table.clear();
  }

  /** Q(o_agent, ·), created as zeros on first sight. */
  private row(agent: number, observations: Float32Array): Float64Array {
    const dim = this.envSpec.obsDim;
    const key = hashFloats(observations, agent * dim, dim);
    const table = this.tables[this.config.shareParameters ? 0 : agent];
    let row = table.get(key);
    if (row === undefined) {
      if (table.size >= this.config.maxTableRows) {
        throw new RangeError(
          `tabular-q: more than maxTableRows = ${this.config.maxTableRows} distinct observations in ${this.envSpec.id}; its observations look continuous, which a table cannot learn: use dqn or mappo`,
        );
      }
      row = new Float64Array(this.numActions);
      table.set(key, row);
    }
    return row;
  }

  /** Number of actions sharing the largest Q value. */
  private ties(q: Float64Array): number {
    const best = max(q);
    let ties = 0;
    for (let a = 0; a < q.length; a++) if (q[a] === best) ties++;
    return ties;
  }

  /**
   * The `pick`-th of the actions with the largest Q value (ties are broken by the caller, so that
   * untrained agents do not all pick action 0).
   */
  private greedy(q: Float64Array, pick: number): number {
    const best = max(q);
    for (let a = 0; a < q.length; a++) {
      if (q[a] === best && pick-- === 0) return a;
    }
    return 0;
  }
}

function max(values: Float64Array): number {
  let best = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] > best) best = values[i];
  return best;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

function hashFloats(values: Float32Array, offset: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < length; i++) {
    scratch[0] = values[offset + i] + 0; // + 0 folds -0 into 0
    hash = Math.imul(hash ^ scratchBits[0], 0x01000193);
  }
  return hash >>> 0;
}

export const tabularQAlgorithm = defineAlgorithm({
  id: "tabular-q",
  description: "Independent tabular Q-learning with ε-greedy exploration (small discrete tasks).",
  configSchema,
  create: (envSpec, config, rng) => new TabularQLearner(envSpec, config, rng),
});
