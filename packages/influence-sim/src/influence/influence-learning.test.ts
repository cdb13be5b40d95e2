/**
 * The AIP acceptance checks of issue 17 on data recorded in the global simulators (fixed seeds,
 * wasm; every number below is deterministic, measured when written):
 *
 * - traffic 2×2, agent 0, 10 episodes (3000 steps) of lights switching with probability 0.1, FNN at
 *   lr 1e-3 for 10 epochs (test-scale; DIALS: lr 1e-4, 100 epochs on 1e4 steps — with untrained PPO
 *   policies acting, 0.320 vs base rate 0.339 when run once at those settings);
 * - warehouse (4 robots, 25-step episodes to keep BPTT short), agent 0, 320 episodes, GRU at lr 1e-2
 *   for 5 epochs of batches of 8: test CE vs the marginal's, see the assertion. At DIALS's own
 *   settings (1e4 steps = 100 episodes, lr 1e-3, 10 epochs of 32 = 20 gradient steps) the GRU did
 *   NOT beat the marginal when run once (0.564 vs 0.541; 40 epochs: 0.536 vs 0.541).
 * - local simulator + trained AIP vs the global simulator, same policies: mean d-set occupancy
 *   within 3 standard errors (measured across episodes) with `localInsertion: "source-onset"`;
 *   DIALS' own rule overshoots by 4 standard errors (numbers and the mechanism in the test).
 */
import {
  createRng,
  DialsTrafficEnv,
  DialsWarehouse,
  type LocalView,
  type MultiAgentEnv,
} from "@netmarl/envs";
import { initBackend } from "@netmarl/graph-nn";
import { Adam } from "@netmarl/trainers";
import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { type ActingPolicy, collectInfluenceData } from "../dials/global-simulation.js";
import { PpoAgent, ppoAgentConfigSchema } from "../ppo/ppo-agent.js";
import { InfluencePredictor, sampleInfluence } from "./influence-predictor.js";
import { testInfluenceLoss, trainInfluencePredictor } from "./train-influence-predictor.js";

beforeAll(async () => {
  await initBackend("wasm", { log: false });
});

/** Switches its light with probability 0.1 per step (the envs package's factorisation test policy). */
const occasionalSwitch: ActingPolicy = { act: (_observation, rng) => (rng.uniform() < 0.1 ? 1 : 0) };

function policies(env: MultiAgentEnv): PpoAgent[] {
  const numActions = env.spec.actionSpace.kind === "discrete" ? env.spec.actionSpace.n : 0;
  const config = ppoAgentConfigSchema.parse({ hiddenSizes: [16, 16] });
  return Array.from(
    { length: env.spec.numAgents },
    (_, i) => new PpoAgent(env.spec.obsDim, numActions, config, createRng(i)),
  );
}

/** Mean d-set bits of agent 0 per episode: in the global simulator, and in its local simulator driven by `predictor`. */
interface Occupancy {
  global: number[];
  local: number[];
}

function occupancy(
  env: MultiAgentEnv & LocalView,
  agents: readonly ActingPolicy[],
  predictor: InfluencePredictor,
  episodes: number,
): Occupancy {
  const rng = createRng(21);
  const actions = new Int32Array(env.spec.numAgents);
  const dset = new Float32Array(env.localStateDim);
  const perStep = env.spec.maxSteps * dset.length;
  const result: Occupancy = { global: [], local: [] };
  for (let e = 0; e < episodes; e++) {
    let obs = env.reset(100 + e).obs;
    let bits = 0;
    for (let t = 0; t < env.spec.maxSteps; t++) {
      for (let i = 0; i < actions.length; i++) {
        actions[i] = agents[i].act(obs.subarray(i * env.spec.obsDim, (i + 1) * env.spec.obsDim), rng);
      }
      obs = env.step(actions).obs;
      for (const bit of env.localState(0, dset)) bits += bit;
    }
    result.global.push(bits / perStep);
  }
  const local = env.createLocalSimulator(0, createRng(5));
  const { numSources, numValues } = local.influenceSpec;
  const probabilities = new Float32Array(numSources * numValues);
  const sources = new Int32Array(numSources);
  const action = new Int32Array(1);
  for (let e = 0; e < episodes; e++) {
    let obs = local.reset(200 + e).obs;
    predictor.resetState();
    let bits = 0;
    for (let t = 0; t < env.spec.maxSteps; t++) {
      action[0] = agents[0].act(obs, rng);
      predictor.predict(local.localState(dset), probabilities);
      sampleInfluence(probabilities, numValues, rng, sources);
      obs = local.step(action, sources).obs;
      for (const bit of local.localState(dset)) bits += bit;
    }
    result.local.push(bits / perStep);
  }
  predictor.resetState();
  return result;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
function variance(values: readonly number[]): number {
  const center = mean(values);
  return values.reduce((a, b) => a + (b - center) ** 2, 0) / (values.length - 1);
}
/** Local minus global mean, and the standard error of that difference (independent episodes). */
function gap(measured: Occupancy): { difference: number; standardError: number } {
  const n = measured.global.length;
  return {
    difference: mean(measured.local) - mean(measured.global),
    standardError: Math.sqrt(variance(measured.global) / n + variance(measured.local) / n),
  };
}

describe("approximate influence predictors on recorded global-simulator data", () => {
  it("traffic FNN: trained test BCE below the base rate and the untrained network; its local simulator tracks the global occupancy", () => {
    const env = new DialsTrafficEnv({ rows: 2, columns: 2 }, createRng(1));
    const agents = Array.from({ length: 4 }, () => occasionalSwitch);
    const [dataset] = collectInfluenceData(env, agents, 3000, createRng(3));
    const options = { inputSize: 36, numSources: 4, numValues: 2, hiddenSize: 128, recurrent: false };
    const predictor = new InfluencePredictor(options, createRng(5));
    const untrained = new InfluencePredictor(options, createRng(6));
    const adam = new Adam(predictor.trainableVariables(), { learningRate: 1e-3 });
    const before = tf.memory().numTensors;
    const report = trainInfluencePredictor(
      predictor,
      adam,
      dataset,
      { epochs: 10, batchSize: 120 },
      createRng(7),
    );
    expect(tf.memory().numTensors).toBe(before);
    // measured: final 0.3824, base rate 0.4441, initial 0.7015
    expect(report.finalTestLoss).toBeLessThan(report.constantTestLoss - 0.03);
    expect(testInfluenceLoss(untrained, dataset)).toBeGreaterThan(report.finalTestLoss + 0.2);
    // Mean d-set occupancy per episode over 20 episodes of 300 steps, global vs local simulator
    // with sources sampled from the AIP; the tolerance is 3 standard errors of the difference of
    // the two means (per-episode spread measured: global sd 0.046, local sd 0.077–0.104).
    // Measured when written:
    // - DIALS' own insertion rule (`"every-source"`, `local_traffic.py`): global 0.223, local
    //   0.333 (+0.110, SE 0.025 — 4.3 SE off). The AIP is calibrated open loop (mean predicted
    //   P(u = 1) 0.127 on the global simulator's own d-sets vs 0.121 observed), but a source that
    //   stays 1 for consecutive steps is in the global simulator mostly the *same* vehicle
    //   (P(u_t = 1 | u_{t-1} = 1) = 0.24, twice the base rate), while the local simulator inserts
    //   one vehicle per 1 whenever the entry cell is free; the extra vehicles congest the d-set,
    //   the AIP answers congestion with more arrivals, and the loop compounds (sampled source rate
    //   0.23–0.26 closed loop). Fed the recorded sequences instead, the local simulator is at 0.251.
    // - `"source-onset"` (insert only where the source turns 0 → 1): local 0.220 (−0.004, SE 0.020).
    const trained = gap(occupancy(env, agents, predictor, 20));
    expect(trained.difference).toBeGreaterThan(3 * trained.standardError);
    const onsetEnv = new DialsTrafficEnv(
      { rows: 2, columns: 2, localInsertion: "source-onset" },
      createRng(1),
    );
    const onset = gap(occupancy(onsetEnv, agents, predictor, 20));
    expect(onset.standardError).toBeLessThan(0.03);
    expect(Math.abs(onset.difference)).toBeLessThan(3 * onset.standardError);
    // the untrained AIP (mean predicted rate ≈ 0.5) is far off under either rule
    const untrainedOnset = gap(occupancy(onsetEnv, agents, untrained, 20));
    expect(Math.abs(untrainedOnset.difference)).toBeGreaterThan(5 * Math.abs(onset.difference) + 0.05);
    adam.dispose();
    predictor.dispose();
    untrained.dispose();
  });

  it("warehouse GRU: trained test CE below the marginal's; its local simulator tracks the global item density", () => {
    const env = new DialsWarehouse({ maxSteps: 25 }, createRng(1));
    const agents = policies(env);
    const [dataset] = collectInfluenceData(env, agents, 8000, createRng(3));
    const options = { inputSize: 37, numSources: 4, numValues: 4, hiddenSize: 64, recurrent: true };
    const predictor = new InfluencePredictor(options, createRng(5));
    const adam = new Adam(predictor.trainableVariables(), { learningRate: 1e-2 });
    const report = trainInfluencePredictor(
      predictor,
      adam,
      dataset,
      { epochs: 5, batchSize: 8 },
      createRng(7),
    );
    // measured (8,000 collected steps = 320 episodes): below the marginal by a small margin.
    expect(report.finalTestLoss).toBeLessThan(report.constantTestLoss);
    expect(report.initialTestLoss).toBeGreaterThan(report.finalTestLoss + 0.5);
    // Mean d-set bits (robot one-hot + item bits) per episode over 20 episodes, global vs local
    // simulator with sources sampled from the GRU; tolerance 3 standard errors of the difference
    // (per-episode sd measured: global 0.028, local 0.022). Measured when written: global 0.0736,
    // trained GRU 0.0839 (+0.0104, SE 0.0079), untrained GRU 0.0534 (−0.0202, SE 0.0066). The gap
    // shrinks with the AIP's data (+0.0186 at 2,000 collected steps, +0.0139 at 4,000 with 10
    // epochs, +0.0104 at 8,000): it is estimation error, not a structural bias as in traffic. The
    // item density moves little with the neighbours' removal rate, so this statistic separates a
    // trained from an untrained AIP only by ≈ 3 standard errors.
    const trained = gap(occupancy(env, agents, predictor, 20));
    expect(trained.standardError).toBeLessThan(0.012);
    expect(Math.abs(trained.difference)).toBeLessThan(3 * trained.standardError);
    adam.dispose();
    predictor.dispose();
    for (const agent of agents) agent.dispose();
  });
});
