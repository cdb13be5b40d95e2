import { type DialsVariant, dialsConfigSchema } from "@netmarl/influence-sim";

/**
 * Algorithms that run their own training loop instead of a `Learner` in the Runner: DIALS trains
 * every agent in its own local simulator, on worker threads. The suite runner sends their seeds to
 * `runDialsSeedJob`; their config is DIALS's (`totalSteps` and `evalEvery` come from the
 * experiment's `run`).
 */
export interface LoopAlgorithm {
  readonly id: string;
  readonly description: string;
  readonly variant: DialsVariant;
  parseConfig(config: unknown): unknown;
}

const dialsConfigWithoutRun = dialsConfigSchema.omit({ variant: true, totalSteps: true, evalEvery: true });

function defineDialsVariant(id: string, variant: DialsVariant, description: string): LoopAlgorithm {
  return {
    id,
    description,
    variant,
    parseConfig: (config) => {
      const result = dialsConfigWithoutRun.safeParse(config ?? {});
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new RangeError(`${id} config: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
      }
      return result.data;
    },
  };
}

export const LOOP_ALGORITHMS: readonly LoopAlgorithm[] = [
  defineDialsVariant(
    "dials",
    "dials",
    "DIALS: per-agent PPO in influence-augmented local simulators (Suau et al.).",
  ),
  defineDialsVariant(
    "untrained-dials",
    "untrained-dials",
    "DIALS with AIPs that are never trained (still sampled).",
  ),
  defineDialsVariant(
    "dials-global",
    "global",
    "DIALS's GS baseline: independent per-agent PPO in the global simulator.",
  ),
];

/** The loop algorithm `id`, or undefined for a Learner-based one. */
export function findLoopAlgorithm(id: string): LoopAlgorithm | undefined {
  return LOOP_ALGORITHMS.find((candidate) => candidate.id === id);
}
