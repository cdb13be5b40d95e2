/**
 * # Cue game — the learning tests' task on which no constant joint policy is optimal
 *
 * | | |
 * |---|---|
 * | Agents | N (default 3) |
 * | Actions | `Discrete(2)` per agent |
 * | Observation | the agent's own cue bit, 1 float (`Box([1], 0, 1)`); a fresh fair coin per agent and step |
 * | State | all N cue bits (`stateDim = N`, for QMIX's mixer and MAPPO's critic) |
 * | Reward | the team reward (1/N)·#{i : a_i = cue_i} to every agent |
 * | Termination | none; truncated after `maxSteps` (default 10) |
 * | Graph | the ring 0–1–…–(N−1)–0, or with `dynamicGraph` a ring over a fresh random order every step |
 *
 * Why this task: on the coordination game the optimum is a constant joint action ("everyone plays
 * 0", which a dead network with `argmax` ties at index 0 plays too), and on Aloha an independent
 * set of islands that always transmits beats what the baselines learn in a test's budget. Here every
 * constant joint policy — and uniform random play — earns exactly half the optimum in expectation
 * (5 of 10 per episode), and the optimum (a_i = cue_i) needs each agent to act on what it observes.
 * Project-defined, test-only.
 */
import {
  AgentGraph,
  Box,
  createRng,
  Discrete,
  type EnvSpec,
  type MultiAgentEnv,
  type ResetResult,
  type Rng,
  type StepResult,
  validateActions,
} from "@netmarl/envs";

export interface CueGameOptions {
  numAgents?: number;
  maxSteps?: number;
  /** Re-draw the ring's order every step (a dynamic graph, for DGN). */
  dynamicGraph?: boolean;
}

export class CueGame implements MultiAgentEnv {
  readonly spec: EnvSpec;
  private rng: Rng;
  private readonly numAgents: number;
  private readonly dynamicGraph: boolean;
  private readonly cues: Float32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly order: Int32Array;
  private ring: AgentGraph;
  private steps = 0;

  constructor(options: CueGameOptions = {}, rng: Rng = createRng(0)) {
    const n = options.numAgents ?? 3;
    this.numAgents = n;
    this.dynamicGraph = options.dynamicGraph ?? false;
    this.rng = rng;
    this.spec = {
      id: "cue-game",
      numAgents: n,
      obsDim: 1,
      observationSpace: new Box([1], 0, 1),
      actionSpace: new Discrete(2),
      stateDim: n,
      maxSteps: options.maxSteps ?? 10,
    };
    this.cues = new Float32Array(n);
    this.rewards = new Float32Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.ring = this.buildRing();
  }

  reset(seed?: number): ResetResult {
    if (seed !== undefined) this.rng = createRng(seed);
    this.steps = 0;
    this.truncated.fill(0);
    this.drawCues();
    return { obs: this.cues, state: this.cues, infos: {} };
  }

  step(actions: ArrayLike<number>): StepResult {
    validateActions(this.spec.id, this.spec.actionSpace, this.numAgents, actions);
    let matches = 0;
    for (let i = 0; i < this.numAgents; i++) if (actions[i] === this.cues[i]) matches++;
    this.rewards.fill(matches / this.numAgents);
    this.steps++;
    this.truncated.fill(this.steps >= this.spec.maxSteps ? 1 : 0);
    this.drawCues();
    return {
      obs: this.cues,
      state: this.cues,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: {},
    };
  }

  graph(): AgentGraph {
    return this.ring;
  }

  private drawCues(): void {
    for (let i = 0; i < this.numAgents; i++) this.cues[i] = this.rng.uniform() < 0.5 ? 0 : 1;
    if (this.dynamicGraph) {
      this.rng.shuffle(this.order);
      this.ring = this.buildRing();
    }
  }

  private buildRing(): AgentGraph {
    const n = this.numAgents;
    const edges: [number, number][] = [];
    for (let k = 0; k < n; k++) edges.push([this.order[k], this.order[(k + 1) % n]]);
    return AgentGraph.fromEdges(n, n === 2 ? edges.slice(0, 1) : edges);
  }
}

export const cueGame = (rng: Rng) => new CueGame({}, rng);
export const dynamicCueGame = (rng: Rng) => new CueGame({ dynamicGraph: true }, rng);
