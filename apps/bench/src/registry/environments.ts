import {
  Aloha,
  CoordinationGame,
  DialsTrafficEnv,
  DialsWarehouse,
  didYouMean,
  Jungle,
  MemoryCue,
  MPE_SCENARIOS,
  type MultiAgentEnv,
  NetworkedCoordination,
  PrisonersDilemma,
  parseGridSize,
  type Rng,
  SignalControlEnv,
} from "@netmarl/envs";
import type { ZodType } from "zod";

/** Size options every registered environment understands (mapped to its own option names). */
export interface EnvironmentSize {
  /** Number of agents N, where the environment lets it vary. */
  agents?: number;
  /** Grid size "RxC" for grid environments (traffic). */
  grid?: string;
}

/** An environment the bench can build by id. */
export interface EnvironmentEntry {
  /**
   * Versioned id (`coordination-game-v1`): bumped whenever the environment's dynamics, rewards or
   * observations change, so a result is tied to the revision that produced it. Results store it.
   */
  id: string;
  /** Earlier names that still select this revision (`coordination-game`). */
  aliases: readonly string[];
  description: string;
  /** The environment's options schema: what `describe` lists and a suite's `env.options` must fit. */
  optionsSchema: ZodType;
  /** Builds the environment; `options` are the environment's own options, `size` the CLI's. */
  create(options: Record<string, unknown>, size: EnvironmentSize, rng: Rng): MultiAgentEnv;
}

/** The environment's options with `--agents` mapped to `numAgents`. */
const withAgents = (options: Record<string, unknown>, size: EnvironmentSize) => ({
  ...options,
  ...(size.agents === undefined ? {} : { numAgents: size.agents }),
});

/** Every environment the bench knows. Adding one is one entry here. */
export const ENVIRONMENTS: readonly EnvironmentEntry[] = [
  {
    id: "coordination-game-v1",
    aliases: ["coordination-game"],
    description:
      "BN-DAG coordination game: N binary agents, ε-noisy transitions, team reward (N = 2, 3, 5, 10)",
    optionsSchema: CoordinationGame.optionsSchema,
    create: (options, size, rng) => new CoordinationGame(withAgents(options, size), rng),
  },
  {
    id: "aloha-v1",
    aliases: ["aloha"],
    description:
      "CASEC/BNPG Aloha: 10 islands (original adjacency), backlog ≤ 5, arrivals 0.6, team reward, 20 steps",
    optionsSchema: Aloha.optionsSchema,
    create: (options, size, rng) => new Aloha(withAgents(options, size), rng),
  },
  {
    id: "memory-cue-v1",
    aliases: ["memory-cue"],
    description:
      "Partially observed test task: a private cue bit at t = 0 only, scored at the last of 4 steps; memoryless policies score 0.5, memory 1",
    optionsSchema: MemoryCue.optionsSchema,
    create: (options, size, rng) => new MemoryCue(withAgents(options, size), rng),
  },
  {
    id: "networked-coordination-v1",
    aliases: ["networked-coordination"],
    description:
      "IP appendix F.1 toy: binary agents on a graph (default 3×3 grid), reward −Σ_edges (a_i − a_j)², constant state, 1 step",
    optionsSchema: NetworkedCoordination.optionsSchema,
    create: (options, size, rng) => new NetworkedCoordination(withAgents(options, size), rng),
  },
  {
    id: "prisoners-dilemma-v1",
    aliases: ["prisoners-dilemma"],
    description:
      "Networked iterated prisoner's dilemma (R=3, T=5, S=0, P=1); 2 agents by default (LToS prisoner, project-defined)",
    optionsSchema: PrisonersDilemma.optionsSchema,
    create: (options, size, rng) => new PrisonersDilemma(withAgents(options, size), rng),
  },
  {
    id: "jungle-v1",
    aliases: ["jungle"],
    description:
      "MAgent jungle as in DGN: 30×30, 20 agents, 12 food, 9 actions, 123-dim observation, 120 steps",
    optionsSchema: Jungle.optionsSchema,
    create: (options, size, rng) => new Jungle(withAgents(options, size), rng),
  },
  {
    id: "dials/warehouse-v1",
    aliases: ["dials/warehouse"],
    description:
      "DIALS warehouse: learners on the inner robot lattice (4, 25, 49, 100), 37-dim observation, 100 steps",
    optionsSchema: DialsWarehouse.optionsSchema,
    create: (options, size, rng) => new DialsWarehouse(withAgents(options, size), rng),
  },
  ...MPE_SCENARIOS.map((scenario) => ({
    id: `${scenario.id}-v1`,
    aliases: [scenario.id],
    description: scenario.description,
    optionsSchema: scenario.optionsSchema,
    create: (options: Record<string, unknown>, size: EnvironmentSize, rng: Rng) =>
      scenario.create(withAgents(options, size), rng),
  })),
  {
    id: "cityflow/signal-control-v1",
    aliases: ["cityflow/signal-control"],
    description:
      'CityFlow signal control (CoLight/LToS): an agent per intersection, 20-dim obs, 10 s decisions; options config | roadnet+flow | grid "RxC"',
    optionsSchema: SignalControlEnv.optionsSchema,
    create: (options, size, rng) => new SignalControlEnv({ ...options, ...gridOption(size) }, rng),
  },
  {
    id: "dials/traffic-v1",
    aliases: ["dials/traffic"],
    description: "DIALS traffic grid: keep/switch lights, 40-bit obs, Bernoulli 0.1 inflows, horizon 300",
    optionsSchema: DialsTrafficEnv.optionsSchema,
    create: (options, size, rng) => {
      const { grid } = gridOption(size);
      return new DialsTrafficEnv({ ...options, ...(grid === undefined ? {} : parseGridSize(grid)) }, rng);
    },
  },
];

/** `--grid RxC`, or `--agents N` as a square grid ("10x10" for 100). */
function gridOption(size: EnvironmentSize): { grid?: string } {
  if (size.grid !== undefined) return { grid: size.grid };
  if (size.agents === undefined) return {};
  return { grid: squareGrid(size.agents) };
}

/** `--agents 100` → "10x10" for grid environments. */
function squareGrid(agents: number): string {
  const side = Math.sqrt(agents);
  if (!Number.isInteger(side))
    throw new RangeError(`--agents ${agents} is not a square grid (16, 49, 100, 1225 …)`);
  return `${side}x${side}`;
}

/** The entry for `id` (a versioned id or an alias), or an error listing the known ids. */
export function findEnvironment(id: string): EnvironmentEntry {
  const entry = ENVIRONMENTS.find((candidate) => candidate.id === id || candidate.aliases.includes(id));
  if (entry === undefined) {
    const known = ENVIRONMENTS.map((e) => e.id);
    const names = ENVIRONMENTS.flatMap((e) => [e.id, ...e.aliases]);
    throw new RangeError(`Unknown environment "${id}"; known: ${known.join(", ")}.${didYouMean(id, names)}`);
  }
  return entry;
}

/** The versioned id for `id` (itself, or the revision an alias names); unknown ids come back unchanged. */
export function canonicalEnvironmentId(id: string): string {
  return ENVIRONMENTS.find((candidate) => candidate.id === id || candidate.aliases.includes(id))?.id ?? id;
}
