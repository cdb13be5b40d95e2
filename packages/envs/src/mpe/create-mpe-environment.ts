/**
 * The MPE scenarios by id, for registries (the bench, experiment configs): one entry per
 * scenario with a one-line description and a constructor from plain options.
 */
import type { ZodType } from "zod";
import { createRng, type Rng } from "../random/rng.js";
import { CooperativeNavigation, type CooperativeNavigationOptions } from "./cooperative-navigation.js";
import { CooperativePush, type CooperativePushOptions } from "./cooperative-push.js";
import { HeterogeneousNavigation, type HeterogeneousNavigationOptions } from "./heterogeneous-navigation.js";
import type { MpeEnv } from "./mpe-env.js";
import { PredatorPrey, type PredatorPreyOptions } from "./predator-prey.js";

/** Ids of the MPE scenarios, in the order of spec §2. */
export const MPE_SCENARIO_IDS = [
  "mpe/cooperative-navigation",
  "mpe/heterogeneous-navigation",
  "mpe/cooperative-push",
  "mpe/predator-prey",
] as const;

export type MpeScenarioId = (typeof MPE_SCENARIO_IDS)[number];

/** One MPE scenario: id, description, the agent counts of PIC's files, and a constructor. */
export interface MpeScenarioEntry {
  id: MpeScenarioId;
  description: string;
  /** PIC's sizes (learning agents). */
  picSizes: readonly number[];
  /** The scenario's options schema (for listing and validating options). */
  optionsSchema: ZodType;
  create(options: Record<string, unknown>, rng: Rng): MpeEnv;
}

export const MPE_SCENARIOS: readonly MpeScenarioEntry[] = [
  {
    id: "mpe/cooperative-navigation",
    description:
      "PIC cooperative navigation: N agents cover N landmarks, team reward, 26-dim obs (N = 15, 30, 100, 200)",
    picSizes: [15, 30, 100, 200],
    optionsSchema: CooperativeNavigation.optionsSchema,
    create: (options, rng) => new CooperativeNavigation(options as CooperativeNavigationOptions, rng),
  },
  {
    id: "mpe/heterogeneous-navigation",
    description:
      "PIC heterogeneous navigation: two agent types (big/slow, small/fast), 22-dim obs (N = 16, 30, 100)",
    picSizes: [16, 30, 100],
    optionsSchema: HeterogeneousNavigation.optionsSchema,
    create: (options, rng) => new HeterogeneousNavigation(options as HeterogeneousNavigationOptions, rng),
  },
  {
    id: "mpe/cooperative-push",
    description: "PIC cooperative push: N agents push a ball to a target, 28/18-dim obs (N = 15, 30)",
    picSizes: [15, 30],
    optionsSchema: CooperativePush.optionsSchema,
    create: (options, rng) => new CooperativePush(options as CooperativePushOptions, rng),
  },
  {
    id: "mpe/predator-prey",
    description:
      "PIC predator-prey: N predators chase heuristic prey among obstacles, 34/44-dim obs (N = 15, 30, 100)",
    picSizes: [15, 30, 100],
    optionsSchema: PredatorPrey.optionsSchema,
    create: (options, rng) => new PredatorPrey(options as PredatorPreyOptions, rng),
  },
];

/**
 * Builds the MPE scenario `id` from its options (each scenario validates its own, so unknown or
 * bad fields are refused with the field named). Unknown ids are refused with the list of known ones.
 */
export function createMpeEnvironment(
  id: string,
  options: Record<string, unknown> = {},
  rng: Rng = createRng(0),
): MpeEnv {
  const entry = MPE_SCENARIOS.find((candidate) => candidate.id === id);
  if (entry === undefined) {
    throw new RangeError(
      `createMpeEnvironment: unknown scenario "${id}"; known: ${MPE_SCENARIO_IDS.join(", ")}`,
    );
  }
  return entry.create(options, rng);
}
