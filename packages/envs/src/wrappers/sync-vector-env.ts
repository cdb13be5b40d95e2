import { type EnvSpec, isEpisodeOver, type MultiAgentEnv } from "../env/multi-agent-env.js";
import type { AgentGraph } from "../graph/agent-graph.js";
import { createRng } from "../random/rng.js";

/** One batched step of K environment copies. Arrays are reused between calls. */
export interface VectorStepResult {
  /** K × N × obsDim observations; a copy whose episode ended holds its *new* episode's first observation. */
  readonly obs: Float32Array;
  /** K × stateDim global states (empty when the environment has none). */
  readonly state: Float32Array;
  /** K × N rewards. */
  readonly rewards: Float32Array;
  /** K × N flags. */
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  /** 1 for each copy whose episode ended at this step (it has been reset). */
  readonly episodeEnded: Uint8Array;
  /** K × N × obsDim: the last observation of each copy whose episode ended at this step. */
  readonly finalObs: Float32Array;
}

/**
 * K copies of an environment stepped in lock-step with one flat batch of actions. A copy whose
 * episode ends is reset at once (Gymnasium's same-step autoreset); its last observation is kept in
 * `finalObs`. Copy k is seeded with a seed forked from the `reset` seed, so runs are reproducible.
 */
export class SyncVectorEnv {
  readonly spec: EnvSpec;
  readonly numEnvs: number;
  readonly envs: readonly MultiAgentEnv[];
  private readonly obsPerEnv: number;
  private readonly actionsPerEnv: number;
  private readonly result: VectorStepResult;

  constructor(createEnv: (index: number) => MultiAgentEnv, numEnvs: number) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) {
      throw new RangeError(`SyncVectorEnv(numEnvs): expected an integer >= 1, got ${numEnvs}`);
    }
    this.envs = Array.from({ length: numEnvs }, (_, k) => createEnv(k));
    this.spec = this.envs[0].spec;
    for (const [k, env] of this.envs.entries()) {
      const s = env.spec;
      if (
        s.numAgents !== this.spec.numAgents ||
        s.obsDim !== this.spec.obsDim ||
        s.stateDim !== this.spec.stateDim
      ) {
        throw new RangeError(
          `SyncVectorEnv: copy ${k} has a different spec from copy 0 (agents, obsDim or stateDim)`,
        );
      }
    }
    this.numEnvs = numEnvs;
    const n = this.spec.numAgents;
    this.obsPerEnv = n * this.spec.obsDim;
    this.actionsPerEnv = n * this.spec.actionSpace.size;
    this.result = {
      obs: new Float32Array(numEnvs * this.obsPerEnv),
      state: new Float32Array(numEnvs * this.spec.stateDim),
      rewards: new Float32Array(numEnvs * n),
      terminated: new Uint8Array(numEnvs * n),
      truncated: new Uint8Array(numEnvs * n),
      episodeEnded: new Uint8Array(numEnvs),
      finalObs: new Float32Array(numEnvs * this.obsPerEnv),
    };
  }

  /** Resets every copy; copy k gets a seed derived from `seed` and k. */
  reset(seed?: number): VectorStepResult {
    const seeds = seed === undefined ? undefined : createRng(seed);
    for (let k = 0; k < this.numEnvs; k++) {
      const first = this.envs[k].reset(seeds?.fork(k).nextSeed());
      this.writeObservation(k, first.obs, first.state);
    }
    this.result.rewards.fill(0);
    this.result.terminated.fill(0);
    this.result.truncated.fill(0);
    this.result.episodeEnded.fill(0);
    return this.result;
  }

  /** Steps every copy with its slice of `actions` (K × N × actionSpace.size entries). */
  step(actions: Int32Array | Float32Array): VectorStepResult {
    if (actions.length !== this.numEnvs * this.actionsPerEnv) {
      throw new RangeError(
        `SyncVectorEnv.step(actions): got ${actions.length} entries; expected ${this.numEnvs * this.actionsPerEnv} (${this.numEnvs} copies × ${this.actionsPerEnv})`,
      );
    }
    const n = this.spec.numAgents;
    const r = this.result;
    for (let k = 0; k < this.numEnvs; k++) {
      const step = this.envs[k].step(actions.subarray(k * this.actionsPerEnv, (k + 1) * this.actionsPerEnv));
      r.rewards.set(step.rewards, k * n);
      r.terminated.set(step.terminated, k * n);
      r.truncated.set(step.truncated, k * n);
      const ended = isEpisodeOver(step);
      r.episodeEnded[k] = ended ? 1 : 0;
      if (ended) {
        r.finalObs.set(step.obs, k * this.obsPerEnv);
        const next = this.envs[k].reset();
        this.writeObservation(k, next.obs, next.state);
      } else {
        this.writeObservation(k, step.obs, step.state);
      }
    }
    return r;
  }

  /** The current graph of copy k. */
  graph(k: number): AgentGraph {
    return this.envs[k].graph();
  }

  close(): void {
    for (const env of this.envs) env.close?.();
  }

  private writeObservation(k: number, obs: Float32Array, state: Float32Array | undefined): void {
    this.result.obs.set(obs, k * this.obsPerEnv);
    if (state !== undefined && this.spec.stateDim > 0) this.result.state.set(state, k * this.spec.stateDim);
  }
}
