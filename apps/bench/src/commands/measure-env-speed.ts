import { createRng, isEpisodeOver, type MultiAgentEnv } from "@netmarl/envs";

/** The result of `netmarl-bench env-speed`. */
export interface EnvSpeedResult {
  envId: string;
  agents: number;
  steps: number;
  seconds: number;
  envStepsPerSecond: number;
  agentStepsPerSecond: number;
}

/**
 * Steps `env` with uniformly random actions (sampled inside the timed loop, as the published
 * anchors do), resetting when an episode ends; resets are timed too. A short untimed warm-up lets
 * the JIT settle first.
 */
export function measureEnvSpeed(
  env: MultiAgentEnv,
  options: { steps: number; seed?: number; onProgress?: (done: number) => void },
): EnvSpeedResult {
  const { numAgents, actionSpace } = env.spec;
  const rng = createRng(options.seed ?? 0).fork("env-speed");
  const actions =
    actionSpace.kind === "box"
      ? new Float32Array(numAgents * actionSpace.size)
      : new Int32Array(numAgents * actionSpace.size);
  const run = (steps: number, report: boolean) => {
    for (let t = 1; t <= steps; t++) {
      for (let agent = 0; agent < numAgents; agent++)
        actionSpace.sampleInto(rng, actions, agent * actionSpace.size);
      if (isEpisodeOver(env.step(actions))) env.reset();
      if (report && options.onProgress && (t & 1023) === 0) options.onProgress(t);
    }
  };
  env.reset(options.seed ?? 0);
  run(Math.min(1000, Math.ceil(options.steps / 10)), false);
  env.reset(options.seed ?? 0);
  const started = performance.now();
  run(options.steps, true);
  const seconds = (performance.now() - started) / 1000;
  options.onProgress?.(options.steps);
  return {
    envId: env.spec.id,
    agents: numAgents,
    steps: options.steps,
    seconds,
    envStepsPerSecond: options.steps / seconds,
    agentStepsPerSecond: (options.steps * numAgents) / seconds,
  };
}
