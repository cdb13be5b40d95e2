/**
 * # Networked coordination (Intention Propagation's toy task, IP appendix F.1)
 *
 * | | |
 * |---|---|
 * | Agents | N on any undirected graph without self-loops; default the appendix's 3 × 3 grid (N = 9, 12 edges) |
 * | Actions | `Discrete(2)` per agent: a_i ∈ {0, 1} |
 * | Observation | a constant scalar 1 for every agent (`Box([1], 1, 1)`): "the global state … is a constant scalar (thus no information)" |
 * | State | the same constant (`stateDim = 1`) |
 * | Reward | `"team"` (default): every agent receives −Σ over edges (i, j) of (a_i − a_j)²; `"local"`: agent i receives −½ Σ_{j ∈ N(i)} (a_i − a_j)² (the agents' rewards then sum to the team reward) |
 * | Termination | none; truncated after `maxSteps` (default 1: one joint decision per episode) |
 * | Optimum | 0, reached by the two constant joint actions (all 0, all 1); uniform random play scores −E/2 (−6 on the 3 × 3 grid) |
 * | Source | IP appendix F.1 (Qu et al., ICLR 2021): the reward −(a1 − a2)² − (a1 − a4)² − … − (a8 − a9)² on the 3 × 3 grid of Figure 7; project-defined: the episode length, the reward split of `"local"`, other graphs |
 *
 * `graph()` is the interaction graph (static). With the default team reward, the mean of the
 * agents' rewards, which the runner reports as the return, equals the appendix's objective.
 */
import { z } from "zod";
import { EpisodeBuffers } from "../env/episode-buffers.js";
import type { EnvInfos, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { parseOptions } from "../env/parse-options.js";
import { validateActions } from "../env/validate-actions.js";
import type { AgentGraph } from "../graph/agent-graph.js";
import { buildGraphScene, buildGraphState, layoutPositions } from "../graph/graph-replay.js";
import { buildLayoutGraph, GRAPH_LAYOUTS } from "../graph/layout-graph.js";
import { createRng, type Rng } from "../random/rng.js";
import type { GraphScene, GraphState } from "../replay/replay-format.js";
import type { ReplayableEnv } from "../replay/replayable.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";

const optionsSchema = z
  .object({
    /** Number of agents N (the appendix: 9). */
    numAgents: z.number().int().min(2).max(100_000).default(9),
    /** Named interaction graph when `edges` is not given; `"grid"` is 4-neighbour on `gridColumns` columns. */
    layout: z.enum(GRAPH_LAYOUTS).default("grid"),
    /** Columns of the `"grid"` layout (must divide N); default √N for a square N. */
    gridColumns: z.number().int().min(1).optional(),
    /** Explicit undirected edge list [i, j] (overrides `layout`); self-loops and duplicates are refused. */
    edges: z.array(z.tuple([z.number().int(), z.number().int()])).optional(),
    /** `"team"`: every agent gets the whole −Σ_edges (a_i − a_j)²; `"local"`: each its half of its own edges. */
    reward: z.enum(["team", "local"]).default("team"),
    /** Decisions per episode (the appendix's game is one decision on a constant state). */
    maxSteps: z.number().int().min(1).default(1),
  })
  .strict();

export type NetworkedCoordinationOptions = z.input<typeof optionsSchema>;

export class NetworkedCoordination implements MultiAgentEnv, ReplayableEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly spec;
  readonly numAgents: number;
  /** Number of undirected edges E (random play scores −E/2 per step). */
  readonly numEdges: number;

  private readonly interactionGraph: AgentGraph;
  private readonly teamReward: boolean;
  private readonly episode: EpisodeBuffers;
  private readonly rewards: Float32Array;
  private readonly infos: EnvInfos;
  private readonly options: z.output<typeof optionsSchema>;

  /** The game draws no random numbers; `_rng` keeps the constructor shape of every environment. */
  constructor(options: NetworkedCoordinationOptions = {}, _rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, "networked-coordination options");
    this.options = config;
    const n = config.numAgents;
    this.interactionGraph = buildLayoutGraph(n, config, "networked-coordination options");
    this.numAgents = n;
    this.numEdges = this.interactionGraph.numEdges / 2;
    if (this.numEdges === 0) {
      throw new RangeError(
        "networked-coordination options: edges: the graph has no edge; nothing to coordinate",
      );
    }
    this.teamReward = config.reward === "team";
    this.spec = {
      id: "networked-coordination",
      numAgents: n,
      obsDim: 1,
      observationSpace: new Box([1], 1, 1),
      actionSpace: new Discrete(2),
      stateDim: 1,
      maxSteps: config.maxSteps,
    };
    this.episode = new EpisodeBuffers(this.spec.id, n, 1, 1, { disagreements: 0 });
    this.episode.obs.fill(1);
    this.episode.state.fill(1);
    this.rewards = this.episode.rewards;
    this.infos = this.episode.infos;
  }

  /** Starts an episode; the game is deterministic, so `seed` changes nothing. */
  reset(_seed?: number): ResetResult {
    this.episode.startEpisode();
    this.infos.disagreements = 0;
    return { obs: this.episode.obs, state: this.episode.state, infos: this.infos };
  }

  step(actions: ArrayLike<number>): StepResult {
    this.episode.assertRunning();
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    const { offsets, neighbors } = this.interactionGraph;
    let disagreements = 0;
    for (let i = 0; i < this.numAgents; i++) {
      let own = 0;
      for (let e = offsets[i]; e < offsets[i + 1]; e++) own += (actions[i] - actions[neighbors[e]]) ** 2;
      this.rewards[i] = (0 - own) / 2; // 0 − x, not −x: no −0 in the output
      disagreements += own;
    }
    // Each disagreeing edge was counted from both ends.
    disagreements /= 2;
    if (this.teamReward) this.rewards.fill(0 - disagreements);
    this.infos.disagreements = disagreements;
    return this.episode.finishStep(this.spec.maxSteps);
  }

  /** The interaction graph (static, both directions of every edge). */
  replayScene(): GraphScene {
    return buildGraphScene(layoutPositions(this.numAgents, this.options), undefined);
  }

  replayState(): GraphState {
    return buildGraphState();
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  graph(): AgentGraph {
    return this.interactionGraph;
  }
}
