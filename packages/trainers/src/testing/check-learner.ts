import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng, isEpisodeOver, type MultiAgentEnv, type Rng } from "@netmarl/envs";
import type { AlgorithmDefinition } from "../contracts/algorithm-definition.js";
import type { LearnerState } from "../contracts/learner.js";
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
}

/** Thrown by {@link checkLearner}; the message lists every failed check. */
export class LearnerCheckError extends Error {
  override name = "LearnerCheckError";
}

/**
 * The conformance check every algorithm passes: finite update metrics, the same seed gives the
 * same metrics, `state()` is JSON and `load(state())` reproduces the learner's greedy actions, and
 * (with `countTensors`) no tensor leaks across updates or after `dispose()`.
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
    const env = first.runner.env;
    // A different generator on purpose: load() must restore everything that matters.
    const restored = definition.create(env.spec, options.config ?? {}, createRng(seed + 1));
    try {
      restored.load(state);
      const obs = env.reset(seed).obs;
      const original = Array.from(first.runner.learner.act(obs, env.graph(), { explore: false }));
      const reloaded = Array.from(restored.act(obs, env.graph(), { explore: false }));
      if (JSON.stringify(original) !== JSON.stringify(reloaded)) {
        failures.push(`load(state()) does not reproduce the greedy actions: ${original} vs ${reloaded}`);
      }
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
