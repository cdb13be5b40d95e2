import { describe, expect, it } from "vitest";
import { CoordinationGame } from "../coordination-game/coordination-game.js";
import type { Actions, StepResult } from "../env/multi-agent-env.js";
import { createRng } from "../random/rng.js";
import { EnvWrapper } from "../wrappers/env-wrapper.js";
import { checkEnv } from "./check-env.js";

/** Broken variants of a correct environment: checkEnv must catch each one. */
class AcceptsAnything extends EnvWrapper {
  override step(actions: Actions): StepResult {
    const clipped = Int32Array.from(actions as ArrayLike<number>, (a) => (a === 1 ? 1 : 0)).subarray(
      0,
      this.spec.numAgents,
    );
    return this.env.step(
      clipped.length === this.spec.numAgents ? clipped : new Int32Array(this.spec.numAgents),
    );
  }
}

class UnseededNoise extends EnvWrapper {
  private readonly noise = createRng(Date.now());
  override step(actions: Actions): StepResult {
    const result = this.env.step(actions);
    const rewards = result.rewards.map((r) => r + this.noise.uniform());
    return { ...result, rewards };
  }
}

class WrongObservationLength extends EnvWrapper {
  override step(actions: Actions): StepResult {
    const result = this.env.step(actions);
    return { ...result, obs: result.obs.subarray(1) };
  }
}

describe("checkEnv", () => {
  it("passes a correct environment", () => {
    expect(() => checkEnv(new CoordinationGame())).not.toThrow();
  });

  it("rejects an environment that absorbs invalid actions", () => {
    expect(() => checkEnv(new AcceptsAnything(new CoordinationGame()))).toThrow(
      /accepted an invalid action batch/,
    );
  });

  it("rejects an environment that is not deterministic for a seed", () => {
    expect(() => checkEnv(new UnseededNoise(new CoordinationGame()))).toThrow(/not deterministic/);
  });

  it("rejects wrongly shaped observations", () => {
    expect(() => checkEnv(new WrongObservationLength(new CoordinationGame()))).toThrow(
      /obs must be a Float32Array of N × obsDim = 9/,
    );
  });
});
