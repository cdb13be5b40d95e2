/**
 * What the predictor learns from: whole episodes of one agent's d-sets and the influence sources
 * that followed them, recorded in the global simulator.
 *
 * Row t pairs the d-set *before* global step t with the sources observed *after* it — exactly what
 * the local simulator asks at simulation time (predict from the current d-set, then step). The
 * original logs both after the step (`global_traffic.py` lines 173–189) while `LocalTraffic.step`
 * predicts from the previous d-set (`local_traffic.py` line 105): a one-step offset we remove.
 */
export interface InfluenceDataset {
  readonly inputSize: number;
  readonly numSources: number;
  readonly numValues: number;
  readonly episodeLength: number;
  readonly numEpisodes: number;
  /** [episode × episodeLength × inputSize] d-set bits. */
  readonly inputs: Float32Array;
  /** [episode × episodeLength × numSources] source values in [0, numValues). */
  readonly targets: Int32Array;
}

/** Checks a dataset's sizes; throws one line naming the field. */
export function validateInfluenceDataset(dataset: InfluenceDataset, label = "influence dataset"): void {
  const { inputSize, numSources, numValues, episodeLength, numEpisodes } = dataset;
  const steps = numEpisodes * episodeLength;
  if (!(numEpisodes >= 1) || !(episodeLength >= 1)) {
    throw new RangeError(
      `${label}: numEpisodes = ${numEpisodes}, episodeLength = ${episodeLength}; expected >= 1`,
    );
  }
  if (dataset.inputs.length !== steps * inputSize) {
    throw new RangeError(
      `${label}: inputs has ${dataset.inputs.length} values; expected episodes × episodeLength × inputSize = ${steps * inputSize}`,
    );
  }
  if (dataset.targets.length !== steps * numSources) {
    throw new RangeError(
      `${label}: targets has ${dataset.targets.length} values; expected episodes × episodeLength × numSources = ${steps * numSources}`,
    );
  }
  for (let i = 0; i < dataset.targets.length; i++) {
    const value = dataset.targets[i];
    if (!(value >= 0 && value < numValues)) {
      throw new RangeError(`${label}: targets[${i}] = ${value}; expected an integer in [0, ${numValues})`);
    }
  }
}
