import { type EnvInfos, isEpisodeOver, type ResetResult, type StepResult } from "./multi-agent-env.js";

/**
 * The output buffers and episode bookkeeping every environment shares, allocated once: the
 * environment writes observations, rewards and flags into these arrays and ends each step with
 * {@link EpisodeBuffers.finishStep}, which applies the time limit and returns the (reused) result.
 */
export class EpisodeBuffers {
  readonly obs: Float32Array;
  /** Global state; empty when the environment has none (`stateDim = 0`). */
  readonly state: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly infos: EnvInfos;
  /** Steps taken in the current episode. */
  stepCount = 0;
  private running = false;
  private readonly resetResult: ResetResult;
  private readonly stepResult: StepResult;

  constructor(
    private readonly envId: string,
    numAgents: number,
    obsDim: number,
    stateDim: number,
    infos: EnvInfos = {},
  ) {
    this.obs = new Float32Array(numAgents * obsDim);
    this.state = new Float32Array(stateDim);
    this.rewards = new Float32Array(numAgents);
    this.terminated = new Uint8Array(numAgents);
    this.truncated = new Uint8Array(numAgents);
    this.infos = infos;
    const state = stateDim > 0 ? this.state : undefined;
    this.resetResult = { obs: this.obs, state, infos: this.infos };
    this.stepResult = {
      obs: this.obs,
      state,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      infos: this.infos,
    };
  }

  /** Starts an episode: step count and flags cleared. Returns the reset result to fill and return. */
  startEpisode(): ResetResult {
    this.stepCount = 0;
    this.running = true;
    this.terminated.fill(0);
    this.truncated.fill(0);
    return this.resetResult;
  }

  /** Refuses a step before `reset()` or after the episode ended. */
  assertRunning(): void {
    if (!this.running)
      throw new Error(`${this.envId}.step: the episode is over or never started; call reset()`);
  }

  /**
   * Counts the step, truncates every agent once `maxSteps` is reached (terminations set by the
   * environment stay), and ends the episode when every agent is done.
   */
  finishStep(maxSteps: number): StepResult {
    this.stepCount++;
    if (this.stepCount >= maxSteps) this.truncated.fill(1);
    if (isEpisodeOver(this.stepResult)) this.running = false;
    return this.stepResult;
  }
}
