import type { Actions, EnvSpec, MultiAgentEnv, ResetResult, StepResult } from "../env/multi-agent-env.js";
import type { AgentGraph } from "../graph/agent-graph.js";

/** Forwards everything to the wrapped environment; wrappers override what they change. */
export class EnvWrapper implements MultiAgentEnv {
  constructor(readonly env: MultiAgentEnv) {}

  get spec(): EnvSpec {
    return this.env.spec;
  }

  reset(seed?: number): ResetResult {
    return this.env.reset(seed);
  }

  step(actions: Actions): StepResult {
    return this.env.step(actions);
  }

  graph(): AgentGraph {
    return this.env.graph();
  }

  close(): void {
    this.env.close?.();
  }
}

/** The first of `env` and the envs inside its wrappers for which `pick` returns a value. */
export function findInWrappedEnvs<T>(
  env: MultiAgentEnv,
  pick: (candidate: MultiAgentEnv) => T | undefined,
): T | undefined {
  for (let current: MultiAgentEnv | undefined = env; current !== undefined; ) {
    const found = pick(current);
    if (found !== undefined) return found;
    current = current instanceof EnvWrapper ? current.env : undefined;
  }
  return undefined;
}
