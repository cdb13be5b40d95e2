import type { Rng } from "@netmarl/envs";

/** How the high level explores (appendix Table 5). */
export type SharingNoiseKind = "ou" | "epsilon-gaussian" | "none";

/**
 * Exploration noise added to the high-level logits when acting (appendix Table 5):
 *
 * - `"ou"` (jungle, traffic): Ornstein–Uhlenbeck per (agent, slot) as `noise.py` (θ = 0.15,
 *   dt = 0.01, lines 5 and 14–15) with μ = x0 = σ·N(0, 1) drawn when the process starts
 *   (`Swarm_CoLight_agent.py` lines 181–182), scaled by the low level's current ε (line 287:
 *   `ou_noise() * EPSILON`; Table 5 writes σ = 0.25ε). The original builds a new process for
 *   every generator episode; so does {@link SharingNoise.reset}.
 * - `"epsilon-gaussian"` (prisoner, Table 5: "ε + Gaussian, ε = 0.8, σ = 1"): with probability ε per
 *   agent and choice, N(0, σ²) on each of its logits. The paper gives only the name and the two
 *   numbers; this reading is ours.
 */
export class SharingNoise {
  private readonly mu: Float64Array;
  private readonly previous: Float64Array;

  constructor(
    readonly kind: SharingNoiseKind,
    private readonly sigma: number,
    private readonly epsilon: number,
    private readonly numAgents: number,
    private readonly width: number,
  ) {
    this.mu = new Float64Array(numAgents * width);
    this.previous = new Float64Array(numAgents * width);
  }

  /** Starts a new OU process (a new episode). */
  reset(rng: Rng): void {
    if (this.kind !== "ou") return;
    for (let e = 0; e < this.mu.length; e++) this.mu[e] = this.sigma * rng.normal();
    this.previous.set(this.mu);
  }

  /** Adds noise to `logits` ([N × width]); `lowLevelEpsilon` scales the OU process. */
  addTo(logits: Float32Array, lowLevelEpsilon: number, rng: Rng): void {
    if (this.kind === "ou") {
      const theta = 0.15;
      const dt = 0.01;
      for (let e = 0; e < this.mu.length; e++) {
        const x =
          this.previous[e] +
          theta * (this.mu[e] - this.previous[e]) * dt +
          this.sigma * Math.sqrt(dt) * rng.normal();
        this.previous[e] = x;
        logits[e] += x * lowLevelEpsilon;
      }
    } else if (this.kind === "epsilon-gaussian") {
      for (let agent = 0; agent < this.numAgents; agent++) {
        if (rng.uniform() >= this.epsilon) continue;
        for (let s = 0; s < this.width; s++) logits[agent * this.width + s] += this.sigma * rng.normal();
      }
    }
  }

  state(): { mu: number[]; previous: number[] } {
    return { mu: Array.from(this.mu), previous: Array.from(this.previous) };
  }

  load(state: { mu: number[]; previous: number[] }): void {
    if (state.mu.length !== this.mu.length || state.previous.length !== this.previous.length) {
      throw new RangeError(`ltos.load noise: expected ${this.mu.length} entries`);
    }
    this.mu.set(state.mu);
    this.previous.set(state.previous);
  }
}
