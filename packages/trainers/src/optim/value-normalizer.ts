/**
 * Running normaliser of value targets: on-policy MAPPO's `ValueNorm` and the BNPG fork's `PopArt`
 * (`onpolicy/utils/popart.py`), which — unlike PopArt in the paper — only normalises, with no
 * rescaling of the critic's output layer. Exponential moving averages of the batch mean and mean
 * square with weight β = 0.99999 and a debiasing term; variance clamped at ≥ 1e-2.
 */
export interface ValueNormalizerState {
  runningMean: number;
  runningMeanSquare: number;
  debiasingTerm: number;
}

export class ValueNormalizer {
  private runningMean = 0;
  private runningMeanSquare = 0;
  private debiasingTerm = 0;

  constructor(
    /** β of the moving averages. */
    readonly beta = 0.99999,
    /** Floor of the debiasing term. */
    readonly epsilon = 1e-5,
  ) {}

  /** Folds one batch of raw targets into the running statistics (the original's `forward(train=True)`). */
  update(values: ArrayLike<number>): void {
    let mean = 0;
    let meanSquare = 0;
    for (let k = 0; k < values.length; k++) {
      mean += values[k];
      meanSquare += values[k] * values[k];
    }
    mean /= values.length;
    meanSquare /= values.length;
    const w = this.beta;
    this.runningMean = this.runningMean * w + mean * (1 - w);
    this.runningMeanSquare = this.runningMeanSquare * w + meanSquare * (1 - w);
    this.debiasingTerm = this.debiasingTerm * w + (1 - w);
  }

  /** Debiased mean and variance. */
  statistics(): { mean: number; variance: number } {
    const debias = Math.max(this.debiasingTerm, this.epsilon);
    const mean = this.runningMean / debias;
    const variance = Math.max(this.runningMeanSquare / debias - mean * mean, 1e-2);
    return { mean, variance };
  }

  normalise(values: ArrayLike<number>, out = new Float32Array(values.length)): Float32Array {
    const { mean, variance } = this.statistics();
    const std = Math.sqrt(variance);
    for (let k = 0; k < values.length; k++) out[k] = (values[k] - mean) / std;
    return out;
  }

  denormalise(values: ArrayLike<number>, out = new Float32Array(values.length)): Float32Array {
    const { mean, variance } = this.statistics();
    const std = Math.sqrt(variance);
    for (let k = 0; k < values.length; k++) out[k] = values[k] * std + mean;
    return out;
  }

  state(): ValueNormalizerState {
    return {
      runningMean: this.runningMean,
      runningMeanSquare: this.runningMeanSquare,
      debiasingTerm: this.debiasingTerm,
    };
  }

  load(state: ValueNormalizerState): void {
    this.runningMean = state.runningMean;
    this.runningMeanSquare = state.runningMeanSquare;
    this.debiasingTerm = state.debiasingTerm;
  }
}
