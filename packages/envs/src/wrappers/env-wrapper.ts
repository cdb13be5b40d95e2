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
