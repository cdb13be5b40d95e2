import {
  isEpisodeOver,
  type MultiAgentEnv,
  type ResetResult,
  type StepResult,
} from "../env/multi-agent-env.js";
import { AgentGraph } from "../graph/agent-graph.js";
import { createRng, type Rng } from "../random/rng.js";

/** Options of {@link checkEnv}. */
export interface CheckEnvOptions {
  /** Steps to run in each determinism pass. Default: two episodes, at most 200 steps. */
  steps?: number;
  /** Seed for resets and sampled actions. Default 1234. */
  seed?: number;
}

/** Thrown by {@link checkEnv}; the message lists every failed check. */
export class EnvCheckError extends Error {
  override name = "EnvCheckError";
}

/**
 * The conformance check every environment passes (PettingZoo's `parallel_api_test` idea):
 * spec and spaces, output shapes and types, `graph()` validity, determinism for a seed, and
 * refusal of wrong-length, out-of-range and non-finite actions with an error that says "action"
 * and leaves the environment usable. Throws {@link EnvCheckError} listing what failed.
 */
export function checkEnv(env: MultiAgentEnv, options: CheckEnvOptions = {}): void {
  const failures: string[] = [];
  const fail = (message: string) => failures.push(message);
  const spec = env.spec;
  const seed = options.seed ?? 1234;
  const steps = options.steps ?? Math.min(2 * spec.maxSteps, 200);

  checkSpec(env, fail);
  if (failures.length > 0)
    throw new EnvCheckError(`${spec?.id ?? "environment"} fails checkEnv:\n- ${failures.join("\n- ")}`);

  const count = () => failures.length;
  const first = runTrace(env, seed, steps, fail, count);
  const second = runTrace(env, seed, steps, fail, count);
  const divergence = first.findIndex((hash, k) => hash !== second[k]);
  if (divergence >= 0 || first.length !== second.length) {
    fail(
      `not deterministic: reset(${seed}) and the same actions gave different results at step ${divergence}`,
    );
  }
  checkBadActions(env, seed, fail);

  if (failures.length > 0) throw new EnvCheckError(`${spec.id} fails checkEnv:\n- ${failures.join("\n- ")}`);
}

function checkSpec(env: MultiAgentEnv, fail: (m: string) => void): void {
  const spec = env.spec;
  if (!spec || typeof spec.id !== "string" || spec.id.length === 0) {
    fail("spec.id must be a non-empty string");
    return;
  }
  if (!Number.isInteger(spec.numAgents) || spec.numAgents < 1)
    fail(`spec.numAgents = ${spec.numAgents}; expected an integer >= 1`);
  if (!Number.isInteger(spec.obsDim) || spec.obsDim < 1)
    fail(`spec.obsDim = ${spec.obsDim}; expected an integer >= 1`);
  if (spec.observationSpace?.size !== spec.obsDim) fail("spec.observationSpace must hold obsDim entries");
  if (!spec.actionSpace || !(spec.actionSpace.size >= 1)) fail("spec.actionSpace must be a Space");
  if (!Number.isInteger(spec.stateDim) || spec.stateDim < 0)
    fail(`spec.stateDim = ${spec.stateDim}; expected an integer >= 0`);
  if (!Number.isInteger(spec.maxSteps) || spec.maxSteps < 1)
    fail(`spec.maxSteps = ${spec.maxSteps}; expected an integer >= 1`);
  if (spec.groups !== undefined && spec.groups.length !== spec.numAgents)
    fail("spec.groups must have one entry per agent");
}

/** Runs `steps` steps from reset(seed) with seeded random actions; returns one hash per step. */
function runTrace(
  env: MultiAgentEnv,
  seed: number,
  steps: number,
  fail: (m: string) => void,
  failureCount: () => number,
): number[] {
  const spec = env.spec;
  const before = failureCount();
  const actionRng = createRng(seed).fork("actions");
  const actions = newActionBuffer(env);
  const hashes: number[] = [];
  let result: ResetResult = env.reset(seed);
  checkResult(env, result, "reset", fail);
  checkGraph(env, fail);
  hashes.push(hashResult(result));
  for (let t = 0; t < steps; t++) {
    sampleActions(env, actionRng, actions);
    const step = env.step(actions);
    checkResult(env, step, `step ${t}`, fail);
    if (!(step.rewards instanceof Float32Array) || step.rewards.length !== spec.numAgents) {
      fail(`step ${t}: rewards must be a Float32Array of ${spec.numAgents}`);
    } else if (!step.rewards.every(Number.isFinite)) {
      fail(`step ${t}: rewards must be finite`);
    }
    for (const name of ["terminated", "truncated"] as const) {
      const flags = step[name];
      if (!(flags instanceof Uint8Array) || flags.length !== spec.numAgents || flags.some((f) => f > 1)) {
        fail(`step ${t}: ${name} must be a Uint8Array of ${spec.numAgents} zeros and ones`);
      }
    }
    if (t < 3) checkGraph(env, fail);
    hashes.push(hashResult(step));
    if (isEpisodeOver(step)) {
      result = env.reset();
      hashes.push(hashResult(result));
    }
    if (failureCount() > before) break; // one broken step is enough to report
  }
  return hashes;
}

function checkBadActions(env: MultiAgentEnv, seed: number, fail: (m: string) => void): void {
  const spec = env.spec;
  const rng = createRng(seed).fork("bad-actions");
  const good = newActionBuffer(env);
  const cases: Array<[string, ArrayLike<number>]> = [];
  cases.push(["too few entries", good.slice(0, good.length - 1)]);
  cases.push(["too many entries", Array.from({ length: good.length + 1 }, () => 0)]);
  const space = spec.actionSpace;
  const outOfRange = (value: number, label: string) => {
    sampleActions(env, rng, good);
    const bad = good.slice() as Int32Array | Float32Array | number[];
    bad[good.length - 1] = value;
    cases.push([label, bad]);
  };
  if (space.kind === "discrete") {
    outOfRange(space.n, `action = n (${space.n})`);
    outOfRange(-1, "action = -1");
    cases.push(["non-integer action 0.5", Array.from({ length: good.length }, () => 0.5)]);
  } else if (space.kind === "multi-discrete") {
    outOfRange(space.nvec[space.size - 1], "last entry = its n");
    outOfRange(-1, "entry = -1");
  } else {
    const high = space.high[space.size - 1];
    if (Number.isFinite(high)) outOfRange(high + 1, "entry above high");
  }
  cases.push(["NaN action", Array.from({ length: good.length }, () => Number.NaN)]);

  for (const [label, actions] of cases) {
    env.reset(seed);
    let error: unknown;
    try {
      env.step(actions);
    } catch (caught) {
      error = caught;
    }
    if (error === undefined) {
      fail(`${label}: step accepted an invalid action batch`);
      continue;
    }
    if (!(error instanceof Error) || !/action/i.test(error.message)) {
      fail(`${label}: the error should be an Error whose message names the action, got ${String(error)}`);
    }
    // A refused step must not have advanced or broken the environment.
    sampleActions(env, rng, good);
    try {
      env.step(good);
    } catch (caught) {
      fail(`${label}: after refusing the bad batch the environment failed a valid step: ${String(caught)}`);
    }
  }
}

function checkResult(
  env: MultiAgentEnv,
  result: ResetResult | StepResult,
  where: string,
  fail: (m: string) => void,
): void {
  const spec = env.spec;
  const expected = spec.numAgents * spec.obsDim;
  if (!(result.obs instanceof Float32Array) || result.obs.length !== expected) {
    fail(`${where}: obs must be a Float32Array of N × obsDim = ${expected}`);
    return;
  }
  for (let i = 0; i < result.obs.length; i++) {
    if (!Number.isFinite(result.obs[i])) {
      fail(`${where}: obs[${i}] = ${result.obs[i]} is not finite`);
      return;
    }
  }
  for (let agent = 0; agent < spec.numAgents; agent++) {
    const own = result.obs.subarray(agent * spec.obsDim, (agent + 1) * spec.obsDim);
    if (!spec.observationSpace.contains(own)) {
      fail(`${where}: agent ${agent}'s observation is outside ${spec.observationSpace}`);
      return;
    }
  }
  if (
    spec.stateDim > 0 &&
    (!(result.state instanceof Float32Array) || result.state.length !== spec.stateDim)
  ) {
    fail(`${where}: state must be a Float32Array of stateDim = ${spec.stateDim}`);
  }
  if (result.infos === null || typeof result.infos !== "object") fail(`${where}: infos must be an object`);
}

function checkGraph(env: MultiAgentEnv, fail: (m: string) => void): void {
  const graph = env.graph();
  if (!(graph instanceof AgentGraph)) {
    fail("graph() must return an AgentGraph");
    return;
  }
  if (graph.numAgents !== env.spec.numAgents)
    fail(`graph() has ${graph.numAgents} agents; expected ${env.spec.numAgents}`);
  try {
    new AgentGraph(graph.numAgents, graph.offsets, graph.neighbors, graph.weights); // re-runs the CSR validation
  } catch (error) {
    fail(`graph() is not a valid CSR graph: ${(error as Error).message}`);
  }
}

function newActionBuffer(env: MultiAgentEnv): Int32Array | Float32Array {
  const length = env.spec.numAgents * env.spec.actionSpace.size;
  return env.spec.actionSpace.kind === "box" ? new Float32Array(length) : new Int32Array(length);
}

function sampleActions(env: MultiAgentEnv, rng: Rng, out: Int32Array | Float32Array): void {
  const space = env.spec.actionSpace;
  for (let agent = 0; agent < env.spec.numAgents; agent++) space.sampleInto(rng, out, agent * space.size);
}

/** FNV-1a over the bytes of everything the step returned. */
function hashResult(result: ResetResult & Partial<StepResult>): number {
  let hash = 0x811c9dc5;
  const mix = (array: ArrayBufferView | undefined) => {
    if (!array) return;
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  };
  mix(result.obs);
  mix(result.state);
  mix(result.rewards);
  mix(result.terminated);
  mix(result.truncated);
  return hash >>> 0;
}
