/**
 * Training of one agent's AIP on a freshly collected dataset (spec §4.3; `influence_network.py`
 * `learn`, `_form_sequences`, `_split_train_test`, `_train`, `_test`, lines 104–227):
 *
 * - sequences: FNN (seq_len 1) → every step is a sample; GRU (seq_len = episode length) → every
 *   episode is one sequence with a target at every step (lines 162–175);
 * - the last 10 % of the sequences are the test set (`int(0.1 · n)`, lines 177–181);
 * - per epoch: a permutation (from the Rng), minibatches of `batchSize` dropping the remainder,
 *   GRU state zero per minibatch (lines 186–208); test loss before the first epoch and after the last;
 * - warm start: the network and its Adam are the caller's and persist between retrainings (the
 *   original never re-initialises them, lines 106–108).
 *
 * Also reported: the test loss of the best constant predictor (base rate / marginal), the bar a
 * trained predictor must clear.
 */
import type { Rng } from "@netmarl/envs";
import type { Adam } from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";
import { type InfluenceDataset, validateInfluenceDataset } from "./influence-dataset.js";
import { constantPredictorLoss, encodeTargets, influenceLoss } from "./influence-loss.js";
import type { InfluencePredictor } from "./influence-predictor.js";

/** Training settings of {@link trainInfluencePredictor}. */
export interface InfluenceTrainingOptions {
  /** Passes over the training sequences (`num_epochs`: 100 traffic, 10 warehouse). */
  epochs: number;
  /** Sequences per minibatch (`batch_size`: 120 traffic, 32 warehouse). */
  batchSize: number;
}

/** Losses of one retraining. */
export interface InfluenceTrainingReport {
  /** Test loss before this retraining (the warm-started network). */
  initialTestLoss: number;
  /** Test loss after it. */
  finalTestLoss: number;
  /** Test loss of the constant predictor fitted on the training rows. */
  constantTestLoss: number;
  /** Gradient steps taken. */
  gradientSteps: number;
}

interface Split {
  /** Sequence start rows (FNN: rows; GRU: episode indices). */
  train: Int32Array;
  test: Int32Array;
}

function splitSequences(dataset: InfluenceDataset, recurrent: boolean): Split {
  const count = recurrent ? dataset.numEpisodes : dataset.numEpisodes * dataset.episodeLength;
  const testSize = Math.floor(0.1 * count);
  if (testSize < 1) {
    throw new RangeError(
      `influence dataset: ${count} ${recurrent ? "episodes" : "steps"} leave no test set (the last 10 %); expected at least 10`,
    );
  }
  const all = Int32Array.from({ length: count }, (_, i) => i);
  return { train: all.slice(0, count - testSize), test: all.slice(count - testSize) };
}

/** Rows (steps) covered by the sequences `indices`, in the order the network's output lists them. */
function rowsOf(dataset: InfluenceDataset, indices: Int32Array, recurrent: boolean): Int32Array {
  if (!recurrent) return indices;
  const length = dataset.episodeLength;
  const rows = new Int32Array(length * indices.length);
  // time-major, as InfluencePredictor.logits returns GRU outputs
  for (let t = 0; t < length; t++) {
    for (let b = 0; b < indices.length; b++) rows[t * indices.length + b] = indices[b] * length + t;
  }
  return rows;
}

function inputTensor(dataset: InfluenceDataset, indices: Int32Array, recurrent: boolean): tf.Tensor {
  const rows = rowsOf(dataset, indices, recurrent);
  const size = dataset.inputSize;
  const values = new Float32Array(rows.length * size);
  for (let r = 0; r < rows.length; r++) {
    values.set(dataset.inputs.subarray(rows[r] * size, rows[r] * size + size), r * size);
  }
  return recurrent
    ? tf.tensor3d(values, [dataset.episodeLength, indices.length, size])
    : tf.tensor2d(values, [rows.length, size]);
}

function batchLoss(
  predictor: InfluencePredictor,
  dataset: InfluenceDataset,
  indices: Int32Array,
): { inputs: tf.Tensor; targets: tf.Tensor2D } {
  const recurrent = predictor.options.recurrent;
  const rows = rowsOf(dataset, indices, recurrent);
  const encoded = encodeTargets(dataset.targets, rows, dataset.numSources, dataset.numValues);
  return {
    inputs: inputTensor(dataset, indices, recurrent),
    targets: tf.tensor2d(encoded, [rows.length, encoded.length / rows.length]),
  };
}

/** Mean loss of `predictor` on the sequences `indices`. */
function evaluateLoss(predictor: InfluencePredictor, dataset: InfluenceDataset, indices: Int32Array): number {
  const { inputs, targets } = batchLoss(predictor, dataset, indices);
  const loss = tf.tidy(() =>
    influenceLoss(predictor.logits(inputs), targets, dataset.numSources, dataset.numValues),
  );
  const value = loss.dataSync()[0];
  tf.dispose([inputs, targets, loss]);
  return value;
}

/** Test loss of `predictor` on the held-out last 10 % of `dataset` (no training). */
export function testInfluenceLoss(predictor: InfluencePredictor, dataset: InfluenceDataset): number {
  validateInfluenceDataset(dataset);
  return evaluateLoss(predictor, dataset, splitSequences(dataset, predictor.options.recurrent).test);
}

/** Trains `predictor` in place on `dataset`; see the file header. */
export function trainInfluencePredictor(
  predictor: InfluencePredictor,
  optimizer: Adam,
  dataset: InfluenceDataset,
  options: InfluenceTrainingOptions,
  rng: Rng,
): InfluenceTrainingReport {
  validateInfluenceDataset(dataset);
  const { inputSize, numSources, numValues } = predictor.options;
  if (
    dataset.inputSize !== inputSize ||
    dataset.numSources !== numSources ||
    dataset.numValues !== numValues
  ) {
    throw new RangeError(
      `trainInfluencePredictor: dataset has inputSize ${dataset.inputSize}, ${dataset.numSources} sources of ${dataset.numValues} values; the predictor expects ${inputSize}, ${numSources} of ${numValues}`,
    );
  }
  const recurrent = predictor.options.recurrent;
  const split = splitSequences(dataset, recurrent);
  const initialTestLoss = evaluateLoss(predictor, dataset, split.test);
  const order = Int32Array.from(split.train);
  const batchSize = Math.min(options.batchSize, order.length);
  let gradientSteps = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    for (let start = 0; start + batchSize <= order.length; start += batchSize) {
      const { inputs, targets } = batchLoss(predictor, dataset, order.subarray(start, start + batchSize));
      optimizer.minimize(() => influenceLoss(predictor.logits(inputs), targets, numSources, numValues));
      tf.dispose([inputs, targets]);
      gradientSteps++;
    }
  }
  const trainRows = rowsOf(dataset, split.train, recurrent);
  const testRows = rowsOf(dataset, split.test, recurrent);
  return {
    initialTestLoss,
    finalTestLoss: evaluateLoss(predictor, dataset, split.test),
    constantTestLoss: constantPredictorLoss(dataset.targets, trainRows, testRows, numSources, numValues),
    gradientSteps,
  };
}
