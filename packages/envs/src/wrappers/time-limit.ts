import type { Actions, EnvSpec, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import { EnvWrapper } from "./env-wrapper.js";

/** Truncates every agent's episode after `maxSteps` steps (on top of the environment's own limit). */
export class TimeLimit extends EnvWrapper {
  private readonly limitedSpec: EnvSpec;
  private readonly truncated: Uint8Array;
  private elapsedSteps = 0;

  constructor(
    env: MultiAgentEnv,
    readonly maxSteps: number,
  ) {
    super(env);
    if (!Number.isInteger(maxSteps) || maxSteps < 1) {
      throw new RangeError(`TimeLimit(maxSteps): expected an integer >= 1, got ${maxSteps}`);
    }
    this.limitedSpec = { ...env.spec, maxSteps: Math.min(maxSteps, env.spec.maxSteps) };
    this.truncated = new Uint8Array(env.spec.numAgents);
  }

  override get spec(): EnvSpec {
    return this.limitedSpec;
  }

  override reset(seed?: number): ResetResult {
    this.elapsedSteps = 0;
    return this.env.reset(seed);
  }

  override step(actions: Actions): StepResult {
    const result = this.env.step(actions);
    this.elapsedSteps++;
    if (this.elapsedSteps < this.maxSteps) return result;
    // Only agents still running are cut; a terminated agent stays terminated.
    for (let i = 0; i < this.truncated.length; i++)
      this.truncated[i] = result.terminated[i] === 1 ? result.truncated[i] : 1;
    return { ...result, truncated: this.truncated };
  }
}
