import { type EnvSpec, parseOptions, type Rng } from "@netmarl/envs";
import type { z } from "zod";
import type { Learner } from "./learner.js";

/**
 * An algorithm as the bench and users see it: an id, a validated config with documented
 * defaults, and a factory. Register one in the bench with a single line.
 */
export interface AlgorithmDefinition<Schema extends z.ZodType = z.ZodType> {
  /** Registry id, e.g. `random`, `mappo`. */
  readonly id: string;
  /** One sentence for `netmarl-bench list`. */
  readonly description: string;
  /** The config schema; its defaults are the paper's. */
  readonly configSchema: Schema;
  /** Validates `config` (errors name the field, the value and the expectation). */
  parseConfig(config: unknown): z.output<Schema>;
  /**
   * A new learner for an environment; all its randomness comes from `rng`. `config` is validated
   * at run time; the first signature types it as the schema's input (keys complete in an editor,
   * each optional where it has a default), the second takes configs read from files or the CLI.
   */
  create(envSpec: EnvSpec, config: z.input<Schema>, rng: Rng): Learner;
  create(envSpec: EnvSpec, config: unknown, rng: Rng): Learner;
}

/** Builds an {@link AlgorithmDefinition} whose `create` validates the config first. */
export function defineAlgorithm<Schema extends z.ZodType>(definition: {
  id: string;
  description: string;
  configSchema: Schema;
  create: (envSpec: EnvSpec, config: z.output<Schema>, rng: Rng) => Learner;
}): AlgorithmDefinition<Schema> {
  const parseConfig = (config: unknown) =>
    parseOptions(definition.configSchema, config, `${definition.id} config`);
  return {
    id: definition.id,
    description: definition.description,
    configSchema: definition.configSchema,
    parseConfig,
    create: (envSpec: EnvSpec, config: unknown, rng: Rng) =>
      definition.create(envSpec, parseConfig(config), rng),
  };
}
