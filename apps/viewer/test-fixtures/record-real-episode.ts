import { Box, createRng, Discrete, isEpisodeOver, type MultiAgentEnv, RecordEpisode } from "@netmarl/envs";

/** Who acts in a recorded episode: seeded uniform random actions, or a fixed-time signal cycle. */
export type RecordedPolicy = { kind: "random"; seed: number } | { kind: "fixed-time"; stepsPerPhase: number };

/**
 * Plays one episode of a real environment through `RecordEpisode` into `path` (observations
 * included, so the hover has them) and returns the number of steps played.
 */
export function recordRealEpisode(
  env: MultiAgentEnv,
  path: string,
  options: { envSeed: number; policy: RecordedPolicy; recordEvery?: number; maxSteps?: number },
): number {
  const { spec } = env;
  const recorder = new RecordEpisode(env, {
    path,
    recordEvery: options.recordEvery ?? 1,
    recordObservations: true,
    policy: { algorithm: options.policy.kind },
  });
  const length = spec.numAgents * spec.actionSpace.size;
  const actions = spec.actionSpace instanceof Box ? new Float32Array(length) : new Int32Array(length);
  const rng = createRng(options.policy.kind === "random" ? options.policy.seed : 0);
  recorder.reset(options.envSeed);
  let steps = 0;
  for (; steps < (options.maxSteps ?? spec.maxSteps); steps++) {
    if (options.policy.kind === "random") {
      for (let i = 0; i < spec.numAgents; i++)
        spec.actionSpace.sampleInto(rng, actions, i * spec.actionSpace.size);
    } else {
      if (!(spec.actionSpace instanceof Discrete))
        throw new Error("fixed-time needs a Discrete action space");
      actions.fill(Math.floor(steps / options.policy.stepsPerPhase) % spec.actionSpace.n);
    }
    if (isEpisodeOver(recorder.step(actions))) {
      steps++;
      break;
    }
  }
  recorder.close();
  return steps;
}
