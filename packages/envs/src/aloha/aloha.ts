/**
 * # Aloha (CASEC / BNPG)
 *
 * | | |
 * |---|---|
 * | Agents | N islands (default 10, the original's hard-coded adjacency); any undirected graph without self-loops |
 * | Actions | `Discrete(2)` per agent: 0 = wait, 1 = transmit |
 * | Observation | own backlog b_i, 1 float (`Box([1], 0, maxBacklog)`) |
 * | State | all backlogs b (`stateDim = N`) |
 * | Step | each agent with a_i = 1 and b_i > 0: if no graph neighbour transmitted (whatever their backlogs), b_i −= 1 and r += 0.1, otherwise r −= 10 (collision); transmitting with b_i = 0 does nothing. Then b_i += Bernoulli(0.6) and b is clipped to [0, 5] |
 * | Reward | the team reward r (sum over agents) to every agent |
 * | Termination | none; truncated after 20 steps |
 * | Reset | b_i = 1 for every agent |
 * | Source | `TonghanWang/CASEC-MACO-benchmark` (60687c1) `src/envs/aloha.py`, `src/config/envs/aloha.yaml`; `dchen48/BNPG` (b7cf8b2) `BN_MAPPO_Aloha/onpolicy/envs/aloha/aloha.py`; spec §6 |
 *
 * The original adjacency is i ~ i±1 and i ~ i±5 with no row-boundary check, so the chain has the
 * 4–5 edge: `0:[1,5] 1:[0,2,6] 2:[1,3,7] 3:[2,4,8] 4:[3,5,9] 5:[0,4,6] 6:[1,5,7] 7:[2,6,8] 8:[3,7,9] 9:[4,8]`.
 * Layout `"casec"` generalises it to any even N ≥ 4 as the chain 0–…–(N−1) plus the rungs
 * i–(i + N/2); N = 10 is exactly the original. `"line"` and `"ring"` are plain chains/cycles, and
 * `edges` takes any edge list. The original's unused `reward_scale = 10` is not applied.
 *
 * `infos`: `transmitted` (successful transmissions so far this episode, the original's `trans`),
 * `collisions` (this step), `backlogTotal` (the original's `left`), `won` (on the last step: the
 * CASEC statistic transmitted > N/2 · maxSteps · 0.9).
 */
import { z } from "zod";
import { EpisodeBuffers } from "../env/episode-buffers.js";
import type { EnvInfos, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { parseOptions } from "../env/parse-options.js";
import { validateActions } from "../env/validate-actions.js";
import { AgentGraph } from "../graph/agent-graph.js";
import { buildGraphScene, buildGraphState, layoutPositions } from "../graph/graph-replay.js";
import { createRng, type Rng } from "../random/rng.js";
import type { GraphScene, GraphState } from "../replay/replay-format.js";
import type { ReplayableEnv } from "../replay/replayable.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";

/** The named island layouts. */
export const ALOHA_LAYOUTS = ["casec", "line", "ring"] as const;
export type AlohaLayout = (typeof ALOHA_LAYOUTS)[number];

const optionsSchema = z
  .object({
    /** Number of islands N. */
    numAgents: z.number().int().min(2).max(100_000).default(10),
    /** Named adjacency when `edges` is not given (`"casec"` = the original for N = 10). */
    layout: z.enum(ALOHA_LAYOUTS).default("casec"),
    /** Explicit undirected edge list [i, j] (overrides `layout`); self-loops and duplicates are refused. */
    edges: z.array(z.tuple([z.number().int(), z.number().int()])).optional(),
    /** Largest backlog (the original's `max_list_length`). */
    maxBacklog: z.number().int().min(1).default(5),
    /** Backlog of every island at reset. */
    initialBacklog: z.number().int().min(0).default(1),
    /** Probability that a packet arrives at an island each step. */
    arrivalProbability: z.number().min(0).max(1).default(0.6),
    /** Team reward of one successful transmission. */
    successReward: z.number().default(0.1),
    /** Team reward of one colliding transmission (negative). */
    collisionReward: z.number().default(-10),
    /** Episode length (the original's `episode_limit`). */
    maxSteps: z.number().int().min(1).default(20),
  })
  .strict();

export type AlohaOptions = z.input<typeof optionsSchema>;

export class Aloha implements MultiAgentEnv, ReplayableEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly spec;
  readonly numAgents: number;
  readonly maxBacklog: number;
  readonly initialBacklog: number;
  readonly arrivalProbability: number;
  readonly successReward: number;
  readonly collisionReward: number;

  private rng: Rng;
  private readonly options: z.output<typeof optionsSchema>;
  private readonly islandGraph: AgentGraph;
  private readonly backlogs: Int32Array;
  private readonly transmitting: Uint8Array;
  private readonly episode: EpisodeBuffers;
  private readonly obs: Float32Array;
  private readonly stateVector: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: EnvInfos;
  private transmitted = 0;

  constructor(options: AlohaOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, "aloha options");
    const n = config.numAgents;
    if (config.initialBacklog > config.maxBacklog) {
      throw new RangeError(
        `aloha options: initialBacklog = ${config.initialBacklog}; expected at most maxBacklog = ${config.maxBacklog}`,
      );
    }
    this.islandGraph = buildIslandGraph(n, config.layout, config.edges);
    this.options = config;
    this.numAgents = n;
    this.maxBacklog = config.maxBacklog;
    this.initialBacklog = config.initialBacklog;
    this.arrivalProbability = config.arrivalProbability;
    this.successReward = config.successReward;
    this.collisionReward = config.collisionReward;
    this.rng = rng;
    this.spec = {
      id: "aloha",
      numAgents: n,
      obsDim: 1,
      observationSpace: new Box([1], 0, config.maxBacklog),
      actionSpace: new Discrete(2),
      stateDim: n,
      maxSteps: config.maxSteps,
    };
    this.backlogs = new Int32Array(n);
    this.transmitting = new Uint8Array(n);
    this.episode = new EpisodeBuffers(this.spec.id, n, this.spec.obsDim, this.spec.stateDim, {
      transmitted: 0,
      collisions: 0,
      backlogTotal: 0,
      won: false,
    });
    this.obs = this.episode.obs;
    this.stateVector = this.episode.state;
    this.rewards = this.episode.rewards;
    this.terminated = this.episode.terminated;
    this.truncated = this.episode.truncated;
    this.infos = this.episode.infos;
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    this.backlogs.fill(this.initialBacklog);
    this.transmitted = 0;
    this.episode.startEpisode();
    this.infos.transmitted = 0;
    this.infos.collisions = 0;
    this.infos.won = false;
    this.writeObservations();
    return { obs: this.obs, state: this.stateVector, infos: this.infos };
  }

  step(actions: ArrayLike<number>): StepResult {
    this.episode.assertRunning();
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    const n = this.numAgents;
    const { offsets, neighbors } = this.islandGraph;
    for (let i = 0; i < n; i++) this.transmitting[i] = actions[i] === 1 ? 1 : 0;
    let reward = 0;
    let collisions = 0;
    for (let i = 0; i < n; i++) {
      if (this.transmitting[i] === 0 || this.backlogs[i] === 0) continue;
      let neighbourAttempted = false;
      for (let e = offsets[i]; e < offsets[i + 1]; e++) {
        if (this.transmitting[neighbors[e]] === 1) {
          neighbourAttempted = true;
          break;
        }
      }
      if (neighbourAttempted) {
        reward += this.collisionReward;
        collisions++;
      } else {
        this.backlogs[i]--;
        this.transmitted++;
        reward += this.successReward;
      }
    }
    for (let i = 0; i < n; i++) {
      if (this.rng.uniform() < this.arrivalProbability && this.backlogs[i] < this.maxBacklog)
        this.backlogs[i]++;
    }
    this.rewards.fill(reward);
    this.infos.transmitted = this.transmitted;
    this.infos.collisions = collisions;
    if (this.episode.stepCount + 1 >= this.spec.maxSteps) {
      this.infos.won = this.transmitted > (n / 2) * this.spec.maxSteps * 0.9;
    }
    this.writeObservations();
    return this.episode.finishStep(this.spec.maxSteps);
  }

  /** The island adjacency (static). */
  graph(): AgentGraph {
    return this.islandGraph;
  }

  replayScene(): GraphScene {
    return buildGraphScene(islandPositions(this.numAgents, this.options.layout, this.options.edges), [
      "wait",
      "transmit",
    ]);
  }

  replayState(): GraphState {
    return buildGraphState(this.backlogs, "backlog");
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  /** Current backlogs (a copy). */
  getBacklogs(): Int32Array {
    return this.backlogs.slice();
  }

  /** Sets the backlogs mid-episode, for hand-worked tests and planning. */
  setBacklogs(backlogs: ArrayLike<number>): void {
    if (backlogs.length !== this.numAgents) {
      throw new RangeError(`aloha.setBacklogs: got ${backlogs.length} entries; expected ${this.numAgents}`);
    }
    for (let i = 0; i < backlogs.length; i++) {
      const b = backlogs[i];
      if (!Number.isInteger(b) || b < 0 || b > this.maxBacklog) {
        throw new RangeError(
          `aloha.setBacklogs: backlogs[${i}] = ${b}; expected an integer in [0, ${this.maxBacklog}]`,
        );
      }
    }
    this.backlogs.set(backlogs);
    this.writeObservations();
  }

  private writeObservations(): void {
    let total = 0;
    for (let i = 0; i < this.numAgents; i++) {
      this.obs[i] = this.backlogs[i];
      this.stateVector[i] = this.backlogs[i];
      total += this.backlogs[i];
    }
    this.infos.backlogTotal = total;
  }
}

/** casec is a ladder: the chain 0…N/2−1 over the chain N/2…N−1 (a 2-row grid); edges: none. */
function islandPositions(
  numAgents: number,
  layout: AlohaLayout,
  edges: ReadonlyArray<readonly [number, number]> | undefined,
): Float64Array | undefined {
  if (layout === "casec")
    return layoutPositions(numAgents, { layout: "grid", gridColumns: numAgents / 2, edges });
  return layoutPositions(numAgents, { layout, edges });
}

/** The island graph of a named layout or an explicit edge list. */
function buildIslandGraph(
  numAgents: number,
  layout: AlohaLayout,
  edges: ReadonlyArray<readonly [number, number]> | undefined,
): AgentGraph {
  if (edges !== undefined) {
    try {
      return AgentGraph.fromEdges(numAgents, edges);
    } catch (error) {
      throw new RangeError(`aloha options: edges: ${(error as Error).message}`);
    }
  }
  const pairs: Array<[number, number]> = [];
  if (layout === "casec") {
    if (numAgents % 2 !== 0 || numAgents < 4) {
      throw new RangeError(
        `aloha options: layout "casec" needs an even numAgents >= 4 (chain + rungs i–(i + N/2); N = 10 is the original), got ${numAgents}`,
      );
    }
    for (let i = 0; i + 1 < numAgents; i++) pairs.push([i, i + 1]);
    const half = numAgents / 2;
    for (let i = 0; i < half; i++) pairs.push([i, i + half]);
  } else {
    for (let i = 0; i + 1 < numAgents; i++) pairs.push([i, i + 1]);
    if (layout === "ring") {
      if (numAgents < 3) {
        throw new RangeError(`aloha options: layout "ring" needs numAgents >= 3, got ${numAgents}`);
      }
      pairs.push([numAgents - 1, 0]);
    }
  }
  return AgentGraph.fromEdges(numAgents, pairs);
}
