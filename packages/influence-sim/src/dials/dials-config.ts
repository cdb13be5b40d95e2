/**
 * The DIALS run configuration and the per-domain defaults (spec §4.2–4.4). Every default cites
 * `INFLUENCEorg/DIALS` d08e915; where the repo and the paper differ the paper's headline setting
 * is the default and the difference is said.
 */
import {
  DialsTrafficEnv,
  DialsWarehouse,
  hasLocalView,
  type LocalView,
  type MultiAgentEnv,
  type Rng,
} from "@netmarl/envs";
import { z } from "zod";
import { type PpoAgentConfig, ppoAgentConfigSchema } from "../ppo/ppo-agent.js";

/** The three variants compared by the paper. */
export const DIALS_VARIANTS = ["dials", "untrained-dials", "global"] as const;
export type DialsVariant = (typeof DIALS_VARIANTS)[number];

const influenceSchema = z
  .object({
    /** Hidden units of the AIP (`hidden_memory_size`; default 128 traffic, 64 warehouse). */
    hiddenSize: z.number().int().positive().optional(),
    /** AIP Adam step size (`lr`; default 1e-4 traffic, 1e-3 warehouse). */
    learningRate: z.number().positive().optional(),
    /** Epochs per retraining (`num_epochs`; default 100 traffic, 10 warehouse). */
    epochs: z.number().int().positive().optional(),
    /** Sequences per minibatch (`batch_size`; default 120 traffic, 32 warehouse). */
    batchSize: z.number().int().positive().optional(),
  })
  .strict()
  .default({});

export const dialsConfigSchema = z
  .object({
    /** `dials`, `untrained-dials` (AIPs never trained, still sampled) or `global` (PPO in the global simulator). */
    variant: z.enum(DIALS_VARIANTS).default("dials"),
    /** Environment steps per agent (`total_steps`). */
    totalSteps: z.number().int().positive().default(4_000_000),
    /** E: evaluate in the global simulator every E steps (`eval_freq`). */
    evalEvery: z.number().int().positive().default(100_000),
    /** F: collect data and retrain the AIPs every F steps (`influence_train_freq`; the paper's traffic headline, 1M). */
    influenceTrainEvery: z.number().int().positive().default(1_000_000),
    /** Steps each agent trains between synchronisations (default min(E, F), as `experiment.py` line 171–175). */
    trainSteps: z.number().int().positive().optional(),
    /** Global-simulator steps collected per AIP retraining, whole episodes (`dataset_size`). */
    datasetSteps: z.number().int().positive().default(10_000),
    /** Global-simulator steps per evaluation, whole episodes (`eval_steps`). */
    evalSteps: z.number().int().positive().default(1_000),
    /** AIP settings; unset fields take the domain's defaults. */
    influence: influenceSchema,
    /** PPO settings of every agent (one network each); unset fields take DIALS' values. */
    ppo: ppoAgentConfigSchema.partial().default({}),
    /** Worker threads for AIP and local training (`dials` variants; 0 = in-process). */
    workers: z.number().int().min(0).default(0),
  })
  .strict();

export type DialsConfigInput = z.input<typeof dialsConfigSchema>;
export type DialsConfig = z.output<typeof dialsConfigSchema>;

/** A DIALS environment as data (workers rebuild it): `dials/traffic` or `dials/warehouse` with options. */
export interface DialsEnvironment {
  id: string;
  options?: Record<string, unknown>;
}

/** Resolved AIP settings of a domain. */
export interface DomainSettings {
  recurrentPredictor: boolean;
  hiddenSize: number;
  learningRate: number;
  epochs: number;
  batchSize: number;
  rolloutSteps: number;
  recurrentPolicy: boolean;
}

/**
 * Traffic: FNN, hidden 128, lr 1e-4, 100 epochs, batch 120 (`configs/traffic/DIALS.yaml` lines
 * 37–44), rollouts of 16 (line 7). Warehouse: GRU over whole episodes, hidden 64, lr 1e-3, 10 epochs,
 * batch 32 (`configs/warehouse/DIALS.yaml` lines 38–45), rollouts of 8 (line 7), `GRUPolicy` (line 24)
 * where traffic uses `FNNPolicy` (`configs/traffic/DIALS.yaml` line 23).
 */
const DOMAINS: Record<string, DomainSettings> = {
  "dials/traffic": {
    recurrentPredictor: false,
    hiddenSize: 128,
    learningRate: 1e-4,
    epochs: 100,
    batchSize: 120,
    rolloutSteps: 16,
    recurrentPolicy: false,
  },
  "dials/warehouse": {
    recurrentPredictor: true,
    hiddenSize: 64,
    learningRate: 1e-3,
    epochs: 10,
    batchSize: 32,
    rolloutSteps: 8,
    recurrentPolicy: true,
  },
};

const ALIASES: Record<string, string> = {
  "dials/traffic-v1": "dials/traffic",
  "dials/warehouse-v1": "dials/warehouse",
};

function domainOf(environment: DialsEnvironment): string {
  const id = ALIASES[environment.id] ?? environment.id;
  if (DOMAINS[id] === undefined) {
    throw new RangeError(
      `DIALS environment id "${environment.id}"; expected one with a LocalView: ${Object.keys(DOMAINS).join(", ")}`,
    );
  }
  return id;
}

/** The domain defaults overridden by the config's explicit fields. */
export function resolveDomainSettings(environment: DialsEnvironment, config: DialsConfig): DomainSettings {
  const base = DOMAINS[domainOf(environment)];
  return {
    recurrentPredictor: base.recurrentPredictor,
    hiddenSize: config.influence.hiddenSize ?? base.hiddenSize,
    learningRate: config.influence.learningRate ?? base.learningRate,
    epochs: config.influence.epochs ?? base.epochs,
    batchSize: config.influence.batchSize ?? base.batchSize,
    rolloutSteps: config.ppo.rolloutSteps ?? base.rolloutSteps,
    recurrentPolicy: config.ppo.recurrent ?? base.recurrentPolicy,
  };
}

/** Every agent's PPO config: the config's fields over the domain's rollout length and policy kind. */
export function resolvePpoConfig(environment: DialsEnvironment, config: DialsConfig): PpoAgentConfig {
  const settings = resolveDomainSettings(environment, config);
  return ppoAgentConfigSchema.parse({
    ...config.ppo,
    rolloutSteps: settings.rolloutSteps,
    recurrent: settings.recurrentPolicy,
  });
}

/** Builds the global simulator; refuses an environment without a {@link LocalView}. */
export function createDialsEnvironment(environment: DialsEnvironment, rng: Rng): MultiAgentEnv & LocalView {
  const id = domainOf(environment);
  const env: MultiAgentEnv =
    id === "dials/traffic"
      ? new DialsTrafficEnv(environment.options ?? {}, rng)
      : new DialsWarehouse(environment.options ?? {}, rng);
  return requireLocalView(env);
}

/** `env` narrowed to a LocalView, or a one-line error naming what is missing. */
export function requireLocalView(env: MultiAgentEnv): MultiAgentEnv & LocalView {
  if (!hasLocalView(env)) {
    throw new TypeError(
      `DIALS: environment "${env.spec.id}" does not implement LocalView (localState, influenceSources, createLocalSimulator); DIALS needs a factorised environment such as dials/traffic or dials/warehouse`,
    );
  }
  return env;
}

/** The train-steps period and the checks of spec §4.2 (one-line errors naming the field). */
export function resolveTrainSteps(config: DialsConfig, numAgents: number): number {
  const { evalEvery, influenceTrainEvery, totalSteps, variant, workers } = config;
  const trainSteps =
    config.trainSteps ?? (variant === "global" ? evalEvery : Math.min(evalEvery, influenceTrainEvery));
  if (variant !== "global" && influenceTrainEvery < trainSteps) {
    throw new RangeError(
      `DIALS config: influenceTrainEvery (F) = ${influenceTrainEvery} < trainSteps = ${trainSteps}; expected F >= trainSteps (the AIPs are retrained between training rounds)`,
    );
  }
  for (const [name, value] of [
    ["evalEvery", evalEvery],
    ["totalSteps", totalSteps],
    ...(variant === "global" ? [] : [["influenceTrainEvery", influenceTrainEvery] as const]),
  ] as const) {
    if (value % trainSteps !== 0) {
      throw new RangeError(
        `DIALS config: ${name} = ${value}; expected a multiple of trainSteps = ${trainSteps}`,
      );
    }
  }
  if (workers > numAgents) {
    throw new RangeError(
      `DIALS config: workers = ${workers}; expected at most the number of agents (${numAgents})`,
    );
  }
  return trainSteps;
}
