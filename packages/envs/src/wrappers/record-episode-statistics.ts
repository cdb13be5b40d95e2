import {
  type Actions,
  type EnvInfos,
  isEpisodeOver,
  type MultiAgentEnv,
  type ResetResult,
  type StepResult,
} from "../env/multi-agent-env.js";
import { EnvWrapper } from "./env-wrapper.js";

/** Statistics of a finished episode, put in `infos.episode` on its last step. */
export interface EpisodeStatistics {
  /** Mean over agents of each agent's undiscounted return (the team return for a shared reward). */
  meanReturn: number;
  /** Sum over agents of their returns. */
  totalReturn: number;
  /** Each agent's return. */
  agentReturns: Float64Array;
  /** Steps in the episode. */
  length: number;
}

/** A step of {@link RecordEpisodeStatistics}: `infos.episode` is set on an episode's last step. */
export interface EpisodeStatisticsStepResult extends StepResult {
  readonly infos: EnvInfos & { episode?: EpisodeStatistics };
}

/** Accumulates returns and lengths and reports them when every agent's episode has ended. */
export class RecordEpisodeStatistics extends EnvWrapper {
  private readonly agentReturns: Float64Array;
  private length = 0;

  constructor(env: MultiAgentEnv) {
    super(env);
    this.agentReturns = new Float64Array(env.spec.numAgents);
  }

  override reset(seed?: number): ResetResult {
    this.agentReturns.fill(0);
    this.length = 0;
    return this.env.reset(seed);
  }

  override step(actions: Actions): EpisodeStatisticsStepResult {
    const result = this.env.step(actions);
    this.length++;
    for (let i = 0; i < this.agentReturns.length; i++) this.agentReturns[i] += result.rewards[i];
    if (!isEpisodeOver(result)) return result;
    let totalReturn = 0;
    for (let i = 0; i < this.agentReturns.length; i++) totalReturn += this.agentReturns[i];
    const episode: EpisodeStatistics = {
      meanReturn: totalReturn / this.agentReturns.length,
      totalReturn,
      agentReturns: this.agentReturns.slice(),
      length: this.length,
    };
    return { ...result, infos: { ...result.infos, episode } };
  }
}
