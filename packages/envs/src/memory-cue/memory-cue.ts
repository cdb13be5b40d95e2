/**
 * # Memory cue (a partially observed test task for recurrent agents)
 *
 * | | |
 * |---|---|
 * | Agents | N (default 2) on a graph without edges: they interact only through the team reward |
 * | Actions | `Discrete(2)` per agent; only the action at the last step is scored |
 * | Observation | 3 values per agent: the one-hot of its private cue bit c_i at t = 0 only (zeros afterwards), then a query flag that is 1 at the last step |
 * | State | the N cue bits and t / (L − 1), for centralised critics and mixers |
 * | Reward | 0 before the last step; at the last step `"team"` (default): every agent gets the fraction of agents with a_i = c_i, `"individual"`: agent i gets 1 if a_i = c_i |
 * | Termination | every agent terminates after the query step t = L − 1 (`length` L ≥ 2, default 4) |
 * | Optimum | 1 per episode with memory; 0.5 for any policy of the current observation alone, which is also what every constant joint policy and uniform random play score |
 * | Source | project-defined (issue 12: "a partially observed variant where the observation hides information seen earlier"), the classic T-maze / copy-cue memory test |
 *
 * The cues are drawn from the environment's Rng at every reset, so a feed-forward policy cannot
 * beat 0.5 and a recurrent one reaches 1 only by carrying the cue over L − 1 blank steps.
 */
import { z } from "zod";
import { EpisodeBuffers } from "../env/episode-buffers.js";
import type { EnvInfos, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { parseOptions } from "../env/parse-options.js";
import { validateActions } from "../env/validate-actions.js";
import { AgentGraph } from "../graph/agent-graph.js";
import { buildGraphScene, buildGraphState } from "../graph/graph-replay.js";
import { createRng, type Rng } from "../random/rng.js";
import type { GraphScene, GraphState } from "../replay/replay-format.js";
import type { ReplayableEnv } from "../replay/replayable.js";
import { Box } from "../spaces/box.js";
import { Discrete } from "../spaces/discrete.js";

const OBS_DIM = 3;

const optionsSchema = z
  .object({
    /** Number of agents N. */
    numAgents: z.number().int().min(1).max(100_000).default(2),
    /** Steps per episode L: the cue at t = 0, the query at t = L − 1. */
    length: z.number().int().min(2).max(10_000).default(4),
    /** `"team"`: every agent gets the fraction of correct agents; `"individual"`: its own 0/1. */
    reward: z.enum(["team", "individual"]).default("team"),
  })
  .strict();

export type MemoryCueOptions = z.input<typeof optionsSchema>;

export class MemoryCue implements MultiAgentEnv, ReplayableEnv {
  /** The options schema (for tools that list and validate options, e.g. `netmarl-bench describe`). */
  static readonly optionsSchema = optionsSchema;

  readonly spec;
  readonly numAgents: number;

  private readonly length: number;
  private readonly teamReward: boolean;
  private readonly cues: Uint8Array;
  private readonly episode: EpisodeBuffers;
  private readonly infos: EnvInfos;
  private readonly options: z.output<typeof optionsSchema>;
  private readonly noEdges: AgentGraph;
  private rng: Rng;

  constructor(options: MemoryCueOptions = {}, rng: Rng = createRng(0)) {
    const config = parseOptions(optionsSchema, options, "memory-cue options");
    this.options = config;
    const n = config.numAgents;
    this.numAgents = n;
    this.length = config.length;
    this.teamReward = config.reward === "team";
    this.rng = rng;
    this.cues = new Uint8Array(n);
    this.spec = {
      id: "memory-cue",
      numAgents: n,
      obsDim: OBS_DIM,
      observationSpace: new Box([OBS_DIM], 0, 1),
      actionSpace: new Discrete(2),
      stateDim: n + 1,
      maxSteps: config.length,
    };
    this.episode = new EpisodeBuffers(this.spec.id, n, OBS_DIM, n + 1, { correct: 0 });
    this.infos = this.episode.infos;
    this.noEdges = new AgentGraph(n, new Int32Array(n + 1), new Int32Array(0));
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    const result = this.episode.startEpisode();
    const { obs, state } = this.episode;
    obs.fill(0);
    for (let i = 0; i < this.numAgents; i++) {
      const cue = this.rng.uniform() < 0.5 ? 0 : 1;
      this.cues[i] = cue;
      obs[i * OBS_DIM + cue] = 1;
      state[i] = cue;
    }
    state[this.numAgents] = 0;
    this.infos.correct = 0;
    return result;
  }

  step(actions: ArrayLike<number>): StepResult {
    this.episode.assertRunning();
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    const { obs, state, rewards, terminated } = this.episode;
    const n = this.numAgents;
    const t = this.episode.stepCount; // the step being taken
    rewards.fill(0);
    if (t === this.length - 1) {
      let correct = 0;
      for (let i = 0; i < n; i++) {
        const hit = actions[i] === this.cues[i] ? 1 : 0;
        rewards[i] = hit;
        correct += hit;
      }
      if (this.teamReward) rewards.fill(correct / n);
      this.infos.correct = correct;
      terminated.fill(1);
    }
    // the next observation: the cue is gone; the query flag marks the last step
    obs.fill(0);
    const next = t + 1;
    if (next === this.length - 1) for (let i = 0; i < n; i++) obs[i * OBS_DIM + 2] = 1;
    state[n] = Math.min(next, this.length - 1) / (this.length - 1);
    // the episode ends by termination at the query step, never by the time limit
    return this.episode.finishStep(this.length + 1);
  }

  /** The agents do not interact: the graph has no edge (they share only the team reward). */
  replayScene(): GraphScene {
    return buildGraphScene(undefined, ["0", "1"]);
  }

  replayState(): GraphState {
    return buildGraphState(this.cues, "cue");
  }

  replayOptions(): Record<string, unknown> {
    return { ...this.options };
  }

  graph(): AgentGraph {
    return this.noEdges;
  }
}
