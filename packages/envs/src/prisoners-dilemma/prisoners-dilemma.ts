/**
 * # Networked iterated prisoner's dilemma (for LToS's "prisoner" experiments) — project-defined
 *
 * | | |
 * |---|---|
 * | Agents | N on any undirected graph without self-loops (default: 2 agents, one edge) |
 * | Actions | `Discrete(2)` per agent: 0 = cooperate (C), 1 = defect (D), played against every neighbour at once |
 * | Observation | the neighbours' last actions in neighbour order, padded to the largest degree: +1 = C, −1 = D, 0 = no neighbour in that slot or no round played yet (`Box([maxDegree], -1, 1)`) |
 * | State | every agent's last action in the same ±1/0 code (`stateDim = N`) |
 * | Reward | Σ over neighbours j of the PD payoff of (a_i, a_j): R = 3 (C,C), S = 0 (C,D), T = 5 (D,C), P = 1 (D,D); `rewardAggregation: "mean"` divides by the degree |
 * | Termination | none; truncated after `maxSteps` (default 10) rounds |
 * | Source | **project-defined**: spec §4 / §10.2 ("[NOT FOUND]"), payoffs = the classic Axelrod values |
 *
 * **What could not be verified.** LToS's prisoner code is not public, and the paper's environment
 * section could not be read (only its abstract, and the appendix in `shared/papers/`). The
 * recollection in spec §4 — a grid-walking version after Sodomka et al. (2013), two agents in a
 * corridor with a shared middle goal and a −0.01 step cost — is marked [UNVERIFIED] there and is
 * **not** implemented. What the appendix does show: the prisoner task is run with tabular Coco-Q
 * (a two-player method) and fixed LToS with selfishness 0.5 "so that fixed LToS directly optimizes
 * the average return", which with one neighbour means two agents. The default here is therefore
 * the two-agent game (N = 2, one edge), and the same environment runs on any graph (layouts
 * `"line"`, `"ring"`, `"grid"` or an `edges` list) for networked experiments. The episode length
 * (10) and the observation coding are our choices, not LToS's.
 *
 * `infos`: `cooperationRate` (fraction of agents that played C this round).
 */
import { z } from "zod";
import { EpisodeBuffers } from "../env/episode-buffers.js";
import type { EnvInfos, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { parseOptions } from "../env/parse-options.js";
import { validateActions } from "../env/validate-actions.js";
import type { AgentGraph } from "../graph/agent-graph.js";
import { buildGraphScene, buildGraphState, layoutPositions } from "../graph/graph-replay.js";
import { buildLayoutGraph, GRAPH_LAYOUTS, type GraphLayout } from "../graph/layout-graph.js";
import { createRng, type Rng } from "../random/rng.js";
import type { GraphScene, GraphState } from "../replay/replay-format.js";
import type { ReplayableEnv } from "../replay/replayable.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";

/** The named interaction layouts (shared with the other small networked games). */
export const PRISONERS_DILEMMA_LAYOUTS = GRAPH_LAYOUTS;
export type PrisonersDilemmaLayout = GraphLayout;

/** Action codes of the game. */
export const PRISONERS_DILEMMA_ACTIONS = { cooperate: 0, defect: 1 } as const;
const COOPERATE = PRISONERS_DILEMMA_ACTIONS.cooperate;
const DEFECT = PRISONERS_DILEMMA_ACTIONS.defect;

const optionsSchema = z
  .object({
    /** Number of agents N. */
    numAgents: z.number().int().min(2).max(100_000).default(2),
    /** Named interaction graph when `edges` is not given; `"grid"` is 4-neighbour on `gridColumns` columns. */
    layout: z.enum(PRISONERS_DILEMMA_LAYOUTS).default("line"),
    /** Columns of the `"grid"` layout (must divide N); default √N for a square N. */
    gridColumns: z.number().int().min(1).optional(),
    /** Explicit undirected edge list [i, j] (overrides `layout`); self-loops and duplicates are refused. */
    edges: z.array(z.tuple([z.number().int(), z.number().int()])).optional(),
    /** Reward R for mutual cooperation. */
    reward: z.number().default(3),
    /** Temptation T for defecting against a cooperator. */
    temptation: z.number().default(5),
    /** Sucker's payoff S for cooperating against a defector. */
    sucker: z.number().default(0),
    /** Punishment P for mutual defection. */
    punishment: z.number().default(1),
    /** How an agent's payoffs against its neighbours are combined. */
    rewardAggregation: z.enum(["sum", "mean"]).default("sum"),
    /** Rounds per episode. */
    maxSteps: z.number().int().min(1).default(10),
  })
  .strict();

export type PrisonersDilemmaOptions = z.input<typeof optionsSchema>;

export class PrisonersDilemma implements MultiAgentEnv, ReplayableEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly spec;
  readonly numAgents: number;
  readonly maxDegree: number;
  /** Payoff to the row player, indexed [own action * 2 + neighbour action]: [R, S, T, P]. */
  readonly payoffs: Float64Array;

  private readonly interactionGraph: AgentGraph;
  private readonly meanAggregation: boolean;
  private readonly lastActions: Int8Array;
  private readonly episode: EpisodeBuffers;
  private readonly obs: Float32Array;
  private readonly stateVector: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly infos: EnvInfos;
  private readonly options: z.output<typeof optionsSchema>;

  /** The game draws no random numbers; `_rng` keeps the constructor shape of every environment. */
  constructor(options: PrisonersDilemmaOptions = {}, _rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, "prisoners-dilemma options");
    this.options = config;
    const n = config.numAgents;
    this.interactionGraph = buildLayoutGraph(n, config, "prisoners-dilemma options");
    let maxDegree = 0;
    for (let i = 0; i < n; i++) maxDegree = Math.max(maxDegree, this.interactionGraph.degree(i));
    if (maxDegree === 0) {
      throw new RangeError(
        "prisoners-dilemma options: edges: the graph has no edge; every agent would play nobody",
      );
    }
    this.numAgents = n;
    this.maxDegree = maxDegree;
    this.payoffs = Float64Array.of(config.reward, config.sucker, config.temptation, config.punishment);
    this.meanAggregation = config.rewardAggregation === "mean";
    this.spec = {
      id: "prisoners-dilemma",
      numAgents: n,
      obsDim: maxDegree,
      observationSpace: new Box([maxDegree], -1, 1),
      actionSpace: new Discrete(2),
      stateDim: n,
      maxSteps: config.maxSteps,
    };
    this.lastActions = new Int8Array(n);
    this.episode = new EpisodeBuffers(this.spec.id, n, this.spec.obsDim, this.spec.stateDim, {
      cooperationRate: 0,
    });
    this.obs = this.episode.obs;
    this.stateVector = this.episode.state;
    this.rewards = this.episode.rewards;
    this.terminated = this.episode.terminated;
    this.truncated = this.episode.truncated;
    this.infos = this.episode.infos;
  }

  /** Starts an episode; the game is deterministic, so `seed` changes nothing. */
  reset(_seed?: number): ResetResult {
    this.lastActions.fill(-1);
    this.episode.startEpisode();
    this.infos.cooperationRate = 0;
    this.writeObservations();
    return { obs: this.obs, state: this.stateVector, infos: this.infos };
  }

  step(actions: ArrayLike<number>): StepResult {
    this.episode.assertRunning();
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    const { offsets, neighbors } = this.interactionGraph;
    let cooperators = 0;
    for (let i = 0; i < this.numAgents; i++) {
      const own = actions[i];
      if (own === COOPERATE) cooperators++;
      let total = 0;
      for (let e = offsets[i]; e < offsets[i + 1]; e++)
        total += this.payoffs[own * 2 + actions[neighbors[e]]];
      const degree = offsets[i + 1] - offsets[i];
      this.rewards[i] = this.meanAggregation && degree > 0 ? total / degree : total;
    }
    for (let i = 0; i < this.numAgents; i++) this.lastActions[i] = actions[i];
    this.infos.cooperationRate = cooperators / this.numAgents;
    this.writeObservations();
    return this.episode.finishStep(this.spec.maxSteps);
  }

  /** The interaction graph (static); row i lists i's opponents in observation-slot order. */
  replayScene(): GraphScene {
    return buildGraphScene(layoutPositions(this.numAgents, this.options), ["cooperate", "defect"]);
  }

  replayState(): GraphState {
    return buildGraphState(this.lastActions, "last action");
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  graph(): AgentGraph {
    return this.interactionGraph;
  }

  private writeObservations(): void {
    const { offsets, neighbors } = this.interactionGraph;
    const width = this.maxDegree;
    this.obs.fill(0);
    for (let i = 0; i < this.numAgents; i++) {
      this.stateVector[i] = actionCode(this.lastActions[i]);
      let slot = i * width;
      for (let e = offsets[i]; e < offsets[i + 1]; e++)
        this.obs[slot++] = actionCode(this.lastActions[neighbors[e]]);
    }
  }
}

/** +1 = cooperated, −1 = defected, 0 = no round yet. */
function actionCode(action: number): number {
  if (action === COOPERATE) return 1;
  return action === DEFECT ? -1 : 0;
}
