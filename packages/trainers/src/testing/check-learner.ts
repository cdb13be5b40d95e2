import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng, isEpisodeOver, type MultiAgentEnv, type Rng } from "@netmarl/envs";
import type { AlgorithmDefinition } from "../contracts/algorithm-definition.js";
import type { Learner, LearnerState, Metrics } from "../contracts/learner.js";
import { MemoryMetricsSink, type MetricRecord } from "../metrics/metrics-sink.js";
import { readStateFile, writeStateFile } from "../persistence/state-file.js";
import { Runner } from "../runner/runner.js";

/** Options of {@link checkLearner}. */
export interface CheckLearnerOptions {
  /** The algorithm config to check (default: its defaults). */
  config?: unknown;
  /** Environment steps per run. Default 500. */
  steps?: number;
  seed?: number;
  /** Fail unless `update()` returned metrics at least once. Default true. */
  expectUpdates?: boolean;
  /**
   * Live tensor count (`() => tf.memory().numTensors`) for TensorFlow.js learners: the count must
   * not grow between updates and must return to its starting value after `dispose()`.
   */
  countTensors?: () => number;
  /**
   * Environment steps the original and the restored learner continue side by side after the state
   * round trip (stopping after three updates with metrics). Default 150.
   */
  continueSteps?: number;
}

/** Thrown by {@link checkLearner}; the message lists every failed check. */
export class LearnerCheckError extends Error {
  override name = "LearnerCheckError";
}

/**
 * The conformance check every algorithm passes: finite update metrics, the same seed gives the
 * same metrics, `state()` survives a real state file, and a fresh learner (built with another
 * generator) that loads it has the complete same state (weights incl. targets, optimiser moments,
 * buffers, Rng: `restored.state()` equals `original.state()` entry by entry) and then acts, learns
 * and reports exactly as the original on the same transitions; with `countTensors`, no tensor
 * leaks across updates or after `dispose()`.
 */
export function checkLearner(
  definition: AlgorithmDefinition,
  createEnv: (rng: Rng) => MultiAgentEnv,
  options: CheckLearnerOptions = {},
): void {
  const failures: string[] = [];
  const steps = options.steps ?? 500;
  const seed = options.seed ?? 7;
  const tensorsAtStart = options.countTensors?.();

  const run = () => {
    const sink = new MemoryMetricsSink();
    const runner = new Runner({
      createEnv,
      createLearner: (spec, rng) => definition.create(spec, options.config ?? {}, rng),
      config: { totalEnvSteps: steps, seed },
      sinks: [sink],
    });
    try {
      runner.run();
    } catch (error) {
      failures.push(`the run failed: ${(error as Error).message}`);
    }
    return { runner, records: sink.records.map(withoutTimes) };
  };

  const first = run();
  const updates = first.records.filter((r) => r.kind === "update");
  if ((options.expectUpdates ?? true) && updates.length === 0)
    failures.push("update() never returned metrics");
  const second = run();
  if (JSON.stringify(first.records) !== JSON.stringify(second.records)) {
    failures.push("the same seed gave different metrics (nondeterminism)");
  }

  if (options.countTensors) {
    const counts: number[] = [];
    const learner = first.runner.learner;
    const env = first.runner.env;
    let current = env.reset(seed);
    for (let i = 0; i < 20; i++) {
      const obs = current.obs.slice();
      const state = current.state?.slice();
      const graph = env.graph();
      const actions = learner.act(obs, graph, { explore: true }).slice();
      const step = env.step(actions);
      learner.observe({
        obs,
        actions,
        rewards: step.rewards,
        nextObs: step.obs,
        terminated: step.terminated,
        truncated: step.truncated,
        state,
        nextState: step.state,
        graph,
      });
      learner.update();
      counts.push(options.countTensors());
      current = isEpisodeOver(step) ? env.reset() : step;
    }
    if (counts[counts.length - 1] !== counts[4]) {
      failures.push(
        `tensors leak across updates: ${counts[4]} after 5 updates, ${counts[counts.length - 1]} after 20`,
      );
    }
  }

  let state: LearnerState | undefined;
  const stateDirectory = mkdtempSync(join(tmpdir(), "netmarl-check-learner-"));
  try {
    // Through the checkpoint file format, as a real resume would.
    const path = join(stateDirectory, "state.bin");
    writeStateFile(path, first.runner.learner.state());
    state = readStateFile(path, "checkLearner state") as LearnerState;
  } catch (error) {
    failures.push(`state() does not survive a state file: ${(error as Error).message}`);
  } finally {
    rmSync(stateDirectory, { recursive: true, force: true });
  }
  if (state) {
    const original = first.runner.learner;
    // A different generator on purpose: load() must restore everything that matters.
    const restored = definition.create(first.runner.env.spec, options.config ?? {}, createRng(seed + 1));
    try {
      restored.load(state);
      const difference = firstDifference(original.state(), restored.state(), "state");
      if (difference !== undefined)
        failures.push(`load(state()) does not restore the complete state: ${difference}`);
      const divergence = continueBoth(
        original,
        restored,
        createEnv,
        seed,
        options.continueSteps ?? 150,
        options.expectUpdates ?? true,
      );
      if (divergence !== undefined) failures.push(divergence);
    } catch (error) {
      failures.push(`load(state()) failed: ${(error as Error).message}`);
    }
    restored.dispose();
  }

  first.runner.learner.dispose();
  second.runner.learner.dispose();
  if (options.countTensors && tensorsAtStart !== undefined) {
    const after = options.countTensors();
    if (after !== tensorsAtStart) failures.push(`dispose() left ${after - tensorsAtStart} tensors behind`);
  }
  if (failures.length > 0)
    throw new LearnerCheckError(`${definition.id} fails checkLearner:\n- ${failures.join("\n- ")}`);
}

function withoutTimes(record: MetricRecord): MetricRecord {
  const copy: MetricRecord = { ...record };
  for (const key of Object.keys(copy)) if (key.startsWith("time/")) delete copy[key];
  return copy;
}

/**
 * Steps two environments built alike with the original and the restored learner; returns a message
 * at the first step whose actions or update metrics differ, or when no update produced metrics.
 */
function continueBoth(
  original: Learner,
  restored: Learner,
  createEnv: (rng: Rng) => MultiAgentEnv,
  seed: number,
  maxSteps: number,
  expectUpdates: boolean,
): string | undefined {
  const envs = [createEnv(createRng(seed + 2)), createEnv(createRng(seed + 2))];
  const learners = [original, restored];
  const current = envs.map((env) => env.reset(seed + 3));
  const greedy = learners.map((learner, k) =>
    Array.from(learner.act(current[k].obs, envs[k].graph(), { explore: false })),
  );
  if (JSON.stringify(greedy[0]) !== JSON.stringify(greedy[1]))
    return `load(state()) does not reproduce the greedy actions: ${greedy[0]} vs ${greedy[1]}`;
  let updates = 0;
  for (let step = 0; step < maxSteps && updates < 3; step++) {
    const metrics: Metrics[] = [];
    const actions: number[][] = [];
    for (let k = 0; k < 2; k++) {
      const env = envs[k];
      const obs = current[k].obs.slice();
      const state = current[k].state?.slice();
      const graph = env.graph();
      const chosen = learners[k].act(obs, graph, { explore: true }).slice();
      actions.push(Array.from(chosen));
      const result = env.step(chosen);
      learners[k].observe({
        obs,
        actions: chosen,
        rewards: result.rewards,
        nextObs: result.obs,
        terminated: result.terminated,
        truncated: result.truncated,
        state,
        nextState: result.state,
        graph,
      });
      metrics.push(learners[k].update());
      current[k] = isEpisodeOver(result) ? env.reset() : result;
    }
    if (JSON.stringify(actions[0]) !== JSON.stringify(actions[1]))
      return `after load(state()), step ${step} explores differently: ${actions[0]} vs ${actions[1]}`;
    const [a, b] = metrics.map((m) => JSON.stringify(m));
    if (a !== b) return `after load(state()), the update at step ${step} differs: ${a} vs ${b}`;
    if (Object.keys(metrics[0]).length > 0) updates++;
  }
  return updates === 0 && expectUpdates && maxSteps > 0
    ? `no update returned metrics in ${maxSteps} steps after load(state()); raise continueSteps`
    : undefined;
}

/** Path and values of the first entry where two states differ (typed arrays compared by kind and bits). */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor)
      return `${path}: ${describe(a)} vs ${describe(b)}`;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return `${path}: length ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) return `${path}[${i}]: ${x[i]} vs ${y[i]}`;
    }
    return undefined;
  }
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
    return Object.is(a, b) ? undefined : `${path}: ${describe(a)} vs ${describe(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: ${describe(a)} vs ${describe(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Uint8Array).length})`;
  return JSON.stringify(value) ?? String(value);
}
