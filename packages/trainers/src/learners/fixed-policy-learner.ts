import type { AgentGraph, EnvSpec } from "@netmarl/envs";
import { z } from "zod";
import { defineAlgorithm } from "../contracts/algorithm-definition.js";
import type { ActOptions, Learner, LearnerState, Metrics } from "../contracts/learner.js";

/** A hand-written policy: writes all agents' actions for the observations into `out`. */
export type Policy = (
  observations: Float32Array,
  graph: AgentGraph,
  out: Int32Array | Float32Array,
  options: ActOptions,
) => void;

/** Acts with a fixed policy and never learns: scripted baselines, oracles and tests. */
export class FixedPolicyLearner implements Learner {
  private readonly actions: Int32Array | Float32Array;

  constructor(
    envSpec: EnvSpec,
    private readonly policy: Policy,
  ) {
    const length = envSpec.numAgents * envSpec.actionSpace.size;
    this.actions = envSpec.actionSpace.kind === "box" ? new Float32Array(length) : new Int32Array(length);
  }

  act(observations: Float32Array, graph: AgentGraph, options: ActOptions): Int32Array | Float32Array {
    this.policy(observations, graph, this.actions, options);
    return this.actions;
  }

  observe(): void {}

  update(): Metrics {
    return {};
  }

  state(): LearnerState {
    return { algorithm: "fixed-policy" };
  }

  load(): void {}

  dispose(): void {}
}

const configSchema = z
  .object({
    /** The action every agent takes (one value), or each agent's action (one per agent entry). */
    actions: z.array(z.number()).min(1).default([0]),
  })
  .strict();

/** Constant actions, as data: `{ actions: [0] }` makes every agent play 0. */
export const fixedPolicyAlgorithm = defineAlgorithm({
  id: "fixed-policy",
  description: "Constant actions given in the config (a scripted baseline).",
  configSchema,
  create: (envSpec, config) => {
    const entries = envSpec.numAgents * envSpec.actionSpace.size;
    const given = config.actions;
    if (given.length !== 1 && given.length !== entries) {
      throw new RangeError(
        `fixed-policy config: actions has ${given.length} entries; expected 1 or ${entries} (${envSpec.numAgents} agents × ${envSpec.actionSpace.size})`,
      );
    }
    for (let k = 0; k < entries; k++) {
      const value = given.length === 1 ? given[0] : given[k];
      const problem = envSpec.actionSpace.explainEntry(value, k % envSpec.actionSpace.size);
      if (problem !== null) {
        throw new RangeError(
          `fixed-policy config: actions[${given.length === 1 ? 0 : k}] = ${value}: ${problem}`,
        );
      }
    }
    return new FixedPolicyLearner(envSpec, (_obs, _graph, out) => {
      for (let k = 0; k < out.length; k++) out[k] = given.length === 1 ? given[0] : given[k];
    });
  },
});
