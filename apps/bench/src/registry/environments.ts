import { CoordinationGame, type MultiAgentEnv, type Rng } from "@netmarl/envs";

/** Size options every registered environment understands (mapped to its own option names). */
export interface EnvironmentSize {
  /** Number of agents N, where the environment lets it vary. */
  agents?: number;
}

/** An environment the bench can build by id. */
export interface EnvironmentEntry {
  id: string;
  description: string;
  /** Builds the environment; `options` are the environment's own options, `size` the CLI's. */
  create(options: Record<string, unknown>, size: EnvironmentSize, rng: Rng): MultiAgentEnv;
}

/** Every environment the bench knows. Adding one is one entry here. */
export const ENVIRONMENTS: readonly EnvironmentEntry[] = [
  {
    id: "coordination-game",
    description:
      "BN-DAG coordination game: N binary agents, ε-noisy transitions, team reward (N = 2, 3, 5, 10)",
    create: (options, size, rng) =>
      new CoordinationGame(
        { ...options, ...(size.agents === undefined ? {} : { numAgents: size.agents }) },
        rng,
      ),
  },
];

/** The entry for `id`, or an error listing the known ids. */
export function findEnvironment(id: string): EnvironmentEntry {
  const entry = ENVIRONMENTS.find((candidate) => candidate.id === id);
  if (entry === undefined) {
    throw new RangeError(`Unknown environment "${id}"; known: ${ENVIRONMENTS.map((e) => e.id).join(", ")}`);
  }
  return entry;
}
