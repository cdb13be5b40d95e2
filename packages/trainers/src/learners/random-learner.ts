import { type EnvSpec, type Rng, Rng as RngClass, type RngState } from "@netmarl/envs";
import { z } from "zod";
import { defineAlgorithm } from "../contracts/algorithm-definition.js";
import type { Learner, LearnerState, Metrics } from "../contracts/learner.js";

/** Uniformly random actions from the action space: the floor every learner must beat. */
export class RandomLearner implements Learner {
  private readonly actions: Int32Array | Float32Array;

  constructor(
    private readonly envSpec: EnvSpec,
    private rng: Rng,
  ) {
    const length = envSpec.numAgents * envSpec.actionSpace.size;
    this.actions = envSpec.actionSpace.kind === "box" ? new Float32Array(length) : new Int32Array(length);
  }

  act(): Int32Array | Float32Array {
    const space = this.envSpec.actionSpace;
    for (let agent = 0; agent < this.envSpec.numAgents; agent++)
      space.sampleInto(this.rng, this.actions, agent * space.size);
    return this.actions;
  }

  observe(): void {}

  update(): Metrics {
    return {};
  }

  state(): LearnerState {
    return { algorithm: "random", rng: this.rng.getState() };
  }

  load(state: LearnerState): void {
    this.rng = RngClass.fromState(state.rng as RngState);
  }

  dispose(): void {}
}

export const randomAlgorithm = defineAlgorithm({
  id: "random",
  description: "Uniformly random actions (the baseline floor).",
  configSchema: z.object({}).strict(),
  create: (envSpec, _config, rng) => new RandomLearner(envSpec, rng),
});
