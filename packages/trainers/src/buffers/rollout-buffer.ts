import type { StateArray } from "../persistence/state-file.js";
import { decodeTypedArrayInto, encodeTypedArray } from "../persistence/typed-array-codec.js";
import { requirePositiveIntegers } from "./require-positive-integers.js";

/** Shape of a {@link RolloutBuffer}. */
export interface RolloutBufferOptions {
  /** Steps per rollout (T). */
  steps: number;
  /** Parallel environment copies (E). */
  numEnvs: number;
  numAgents: number;
  obsDim: number;
  actionSize: number;
  /** Entries of the global state (centralised critics); 0 for none. */
  stateDim?: number;
}

/** One step of E copies × N agents, flat in [env][agent] order. */
export interface RolloutStep {
  obs: ArrayLike<number>;
  state?: ArrayLike<number>;
  actions: ArrayLike<number>;
  logProbs: ArrayLike<number>;
  values: ArrayLike<number>;
  rewards: ArrayLike<number>;
  terminated: ArrayLike<number>;
  truncated: ArrayLike<number>;
  /**
   * V of the final observation where an episode was truncated at this step (0 elsewhere), so a cut
   * episode is bootstrapped instead of treated as terminal. Omit to treat truncation as terminal.
   */
  truncationValues?: ArrayLike<number>;
}

/**
 * On-policy storage for PPO-family learners with GAE(λ) (Schulman et al. 2016). All arrays are
 * [step][env × agent] and allocated once.
 */
/** What {@link RolloutBuffer.state} returns: the cursor and copies of the arrays. */
export interface RolloutBufferState {
  cursor: number;
  arrays: Record<string, StateArray>;
}

export class RolloutBuffer {
  readonly steps: number;
  /** E × N: one slot per (environment copy, agent). */
  readonly slots: number;
  readonly obsDim: number;
  readonly actionSize: number;
  readonly stateDim: number;
  readonly obs: Float32Array;
  /** Global states, [step][env][stateDim]. */
  readonly globalState: Float32Array;
  readonly actions: Float32Array;
  readonly logProbs: Float32Array;
  readonly values: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly truncationValues: Float32Array;
  /** Filled by {@link RolloutBuffer.computeAdvantages}. */
  readonly advantages: Float32Array;
  readonly returns: Float32Array;
  private readonly numEnvs: number;
  private cursor = 0;

  constructor(options: RolloutBufferOptions) {
    requirePositiveIntegers("RolloutBuffer options", options, [
      "steps",
      "numEnvs",
      "numAgents",
      "obsDim",
      "actionSize",
    ] as const);
    this.steps = options.steps;
    this.numEnvs = options.numEnvs;
    this.slots = options.numEnvs * options.numAgents;
    this.obsDim = options.obsDim;
    this.actionSize = options.actionSize;
    this.stateDim = options.stateDim ?? 0;
    const t = this.steps;
    const m = this.slots;
    this.obs = new Float32Array(t * m * this.obsDim);
    this.globalState = new Float32Array(t * this.numEnvs * this.stateDim);
    this.actions = new Float32Array(t * m * this.actionSize);
    this.logProbs = new Float32Array(t * m);
    this.values = new Float32Array(t * m);
    this.rewards = new Float32Array(t * m);
    this.terminated = new Uint8Array(t * m);
    this.truncated = new Uint8Array(t * m);
    this.truncationValues = new Float32Array(t * m);
    this.advantages = new Float32Array(t * m);
    this.returns = new Float32Array(t * m);
  }

  get full(): boolean {
    return this.cursor === this.steps;
  }

  /** Steps stored since the last `clear`. */
  get length(): number {
    return this.cursor;
  }

  add(step: RolloutStep): void {
    if (this.full)
      throw new RangeError(`RolloutBuffer.add: the buffer holds ${this.steps} steps; call clear() first`);
    const t = this.cursor;
    const m = this.slots;
    copy(this.obs, t * m * this.obsDim, step.obs, m * this.obsDim, "obs");
    copy(this.actions, t * m * this.actionSize, step.actions, m * this.actionSize, "actions");
    copy(this.logProbs, t * m, step.logProbs, m, "logProbs");
    copy(this.values, t * m, step.values, m, "values");
    copy(this.rewards, t * m, step.rewards, m, "rewards");
    copy(this.terminated, t * m, step.terminated, m, "terminated");
    copy(this.truncated, t * m, step.truncated, m, "truncated");
    if (step.truncationValues)
      copy(this.truncationValues, t * m, step.truncationValues, m, "truncationValues");
    else this.truncationValues.fill(0, t * m, (t + 1) * m);
    if (this.stateDim > 0) {
      if (!step.state)
        throw new RangeError(
          `RolloutBuffer.add: the buffer stores a state of ${this.stateDim}; the step has none`,
        );
      copy(
        this.globalState,
        t * this.numEnvs * this.stateDim,
        step.state,
        this.numEnvs * this.stateDim,
        "state",
      );
    }
    this.cursor++;
  }

  /**
   * GAE(λ): δ_t = r_t + γ V_next − V_t with V_next = 0 after termination, the truncation value after
   * truncation, V_{t+1} otherwise (`lastValues` after the last step); A_t = δ_t + γλ A_{t+1}, the
   * sum cut at every episode end. Returns R_t = A_t + V_t.
   *
   * `truncation: "zero-advantage"` is on-policy MAPPO's `use_proper_time_limits` rule instead
   * (`shared_buffer.py` `compute_returns`, `gae * bad_masks`): a step cut by the time limit gets
   * A_t = 0 and R_t = V_t, and the sum is cut there.
   */
  computeAdvantages(
    lastValues: ArrayLike<number>,
    discount: number,
    gaeLambda: number,
    options: { truncation?: "bootstrap" | "zero-advantage" } = {},
  ): void {
    const zeroAtCuts = options.truncation === "zero-advantage";
    const m = this.slots;
    if (lastValues.length !== m) {
      throw new RangeError(
        `RolloutBuffer.computeAdvantages: lastValues has ${lastValues.length} entries; expected ${m}`,
      );
    }
    for (let slot = 0; slot < m; slot++) {
      let nextAdvantage = 0;
      for (let t = this.cursor - 1; t >= 0; t--) {
        const i = t * m + slot;
        const ended = this.terminated[i] === 1 || this.truncated[i] === 1;
        let nextValue: number;
        if (this.terminated[i] === 1) nextValue = 0;
        else if (this.truncated[i] === 1) nextValue = this.truncationValues[i];
        else nextValue = t === this.cursor - 1 ? lastValues[slot] : this.values[i + m];
        const delta = this.rewards[i] + discount * nextValue - this.values[i];
        nextAdvantage = delta + (ended ? 0 : discount * gaeLambda * nextAdvantage);
        if (zeroAtCuts && this.truncated[i] === 1 && this.terminated[i] === 0) nextAdvantage = 0;
        this.advantages[i] = nextAdvantage;
        this.returns[i] = nextAdvantage + this.values[i];
      }
    }
  }

  clear(): void {
    this.cursor = 0;
  }

  /** Stored steps for checkpoints (copies of the arrays). */
  state(): RolloutBufferState {
    return {
      cursor: this.cursor,
      arrays: Object.fromEntries(this.namedArrays().map(([name, a]) => [name, encodeTypedArray(a)])),
    };
  }

  load(state: RolloutBufferState): void {
    for (const [name, array] of this.namedArrays()) {
      const stored = state.arrays[name];
      if (stored === undefined) throw new RangeError(`RolloutBuffer.load: the state has no ${name}`);
      decodeTypedArrayInto(stored, array, `RolloutBuffer.load ${name}`);
    }
    this.cursor = state.cursor;
  }

  private namedArrays(): [string, Float32Array | Uint8Array][] {
    return [
      ["obs", this.obs],
      ["globalState", this.globalState],
      ["actions", this.actions],
      ["logProbs", this.logProbs],
      ["values", this.values],
      ["rewards", this.rewards],
      ["terminated", this.terminated],
      ["truncated", this.truncated],
      ["truncationValues", this.truncationValues],
    ];
  }
}

function copy(
  target: Float32Array | Uint8Array,
  offset: number,
  source: ArrayLike<number>,
  expected: number,
  name: string,
): void {
  if (source.length !== expected) {
    throw new RangeError(`RolloutBuffer.add: ${name} has ${source.length} entries; expected ${expected}`);
  }
  for (let i = 0; i < expected; i++) target[offset + i] = source[i];
}
