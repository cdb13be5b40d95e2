import { parseOptions } from "@netmarl/envs";
import { z } from "zod";
import { canonicalEnvironmentId } from "../registry/environments.js";

const jsonObject = z.record(z.string(), z.unknown());

/** One experiment: an environment, an algorithm, a run budget and the seeds to repeat it with. */
export const experimentSchema = z
  .object({
    /** Distinguishes experiments with the same env and algorithm (e.g. two configs); part of the folder name. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "expected lower-case letters, digits and dashes")
      .optional(),
    env: z
      .object({
        /** A registered environment id (`netmarl-bench list`). */
        id: z.string().min(1),
        /** The environment's own options. */
        options: jsonObject.default({}),
      })
      .strict(),
    algorithm: z
      .object({
        /** A registered algorithm id. */
        id: z.string().min(1),
        /** The algorithm's config (its defaults fill the rest). */
        config: jsonObject.default({}),
      })
      .strict(),
    run: z
      .object({
        /** Environment steps per seed. */
        steps: z.number().int().min(1),
        /** Evaluate every this many steps (0: never). */
        evalEvery: z.number().int().min(0).default(0),
        /** Episodes per evaluation. */
        evalEpisodes: z.number().int().min(1).default(10),
        /** Checkpoint at the first episode end after every this many steps (default: a tenth of the run). */
        checkpointEvery: z.number().int().min(0).optional(),
      })
      .strict(),
    /** Seeds to run, each in its own folder. */
    seeds: z.array(z.number().int().min(0)).min(1),
    /** The published figure for this experiment, shown in the report's "paper" column. */
    reference: z
      .object({
        /** The paper's final return (same metric as the evaluation return). */
        value: z.number(),
        /** Its spread as published (± std or CI half-width), if given. */
        spread: z.number().min(0).optional(),
        /** Where it comes from: paper, table or figure. */
        source: z.string().min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Experiment = z.output<typeof experimentSchema>;
export type ExperimentInput = z.input<typeof experimentSchema>;

/** A named list of experiments and the published figure they reproduce. */
export const suiteSchema = z
  .object({
    /** Folder-safe name, e.g. `quick`, `bn-dag-full`. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected lower-case letters, digits and dashes"),
    description: z.string().min(1),
    /** The paper figure or table this suite reproduces, and what to expect. */
    figure: z.string().min(1),
    experiments: z.array(experimentSchema),
    /** Experiments the paper has that need work not done yet (listed so the gap is visible). */
    pending: z.array(z.string()).default([]),
    /**
     * Record one greedy episode of each experiment's final policy (its first seed, when that seed
     * runs) as `replay.ndjson.gz` in the seed folder; the report links it and a viewer page.
     */
    recordReplays: z.boolean().default(false),
  })
  .strict();

export type Suite = z.output<typeof suiteSchema>;
export type SuiteInput = z.input<typeof suiteSchema>;

/** Validates a suite (errors name the field, e.g. `experiments.2.run.steps = 0: …`) and its folder names. */
export function parseSuite(input: unknown, where = "suite"): Suite {
  const parsed = parseOptions(suiteSchema, input, where);
  // Old environment names select their current revision, and the results record the versioned id.
  const suite: Suite = {
    ...parsed,
    experiments: parsed.experiments.map((experiment) => ({
      ...experiment,
      env: { ...experiment.env, id: canonicalEnvironmentId(experiment.env.id) },
    })),
  };
  const seen = new Map<string, number>();
  suite.experiments.forEach((experiment, index) => {
    const folder = experimentFolder(experiment);
    const first = seen.get(folder);
    if (first !== undefined) {
      throw new RangeError(
        `${where}: experiments.${first} and experiments.${index} both write to ${folder}; give one of them a distinct name`,
      );
    }
    seen.set(folder, index);
  });
  return suite;
}

/** `<env>/<algorithm>[~<name>]`, with `/` in ids replaced so each id stays one folder level. */
export function experimentFolder(experiment: Pick<Experiment, "env" | "algorithm" | "name">): string {
  const slug = (id: string) => id.replace(/[^A-Za-z0-9._-]+/g, "_");
  const algorithm = experiment.name
    ? `${slug(experiment.algorithm.id)}~${experiment.name}`
    : slug(experiment.algorithm.id);
  return `${slug(experiment.env.id)}/${algorithm}`;
}
