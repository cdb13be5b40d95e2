import { parseSuite, type Suite, type SuiteInput } from "./experiment-schema.js";

/**
 * `quick`: every registered algorithm on small tasks, a few minutes on 2 cores — the smoke test of
 * the whole pipeline and the README's main command.
 */
const coordination = { id: "coordination-game", options: { numAgents: 3 } };
const aloha = { id: "aloha", options: {} };
const quick: SuiteInput = {
  name: "quick",
  description:
    "Every registered algorithm on small tasks (coordination game N = 3, Aloha); minutes on 2 cores.",
  figure: "Sanity check, not a paper figure: every learner should beat random play on both tasks.",
  experiments: [
    ...[coordination, aloha].flatMap((env) => [
      {
        env,
        algorithm: { id: "random" },
        run: { steps: 10_000, evalEvery: 2_000, evalEpisodes: 10 },
        seeds: [0, 1, 2],
      },
      {
        name: "always-zero",
        env,
        algorithm: { id: "fixed-policy", config: { actions: [0] } },
        run: { steps: 10_000, evalEvery: 2_000, evalEpisodes: 10 },
        seeds: [0, 1, 2],
      },
      {
        env,
        algorithm: {
          id: "dqn",
          config: {
            learningStarts: 500,
            epsilonDecaySteps: 6_000,
            trainEvery: 2,
            hiddenSizes: [32],
            learningRate: 1e-3,
          },
        },
        run: { steps: 10_000, evalEvery: 2_000, evalEpisodes: 10 },
        seeds: [0, 1, 2],
      },
      {
        env,
        algorithm: { id: "mappo", config: { epochs: 5 } },
        run: { steps: 20_000, evalEvery: 4_000, evalEpisodes: 10 },
        seeds: [0, 1, 2],
      },
      {
        env,
        algorithm: { id: "ippo", config: { epochs: 5 } },
        run: { steps: 20_000, evalEvery: 4_000, evalEpisodes: 10 },
        seeds: [0, 1, 2],
      },
    ]),
    ...[coordination, aloha].map((env) => ({
      env,
      algorithm: {
        id: "qmix",
        config: {
          learningStarts: 300,
          epsilonDecaySteps: 3_000,
          trainEvery: 2,
          agentHiddenSizes: [32],
          learningRate: 1e-3,
        },
      },
      run: { steps: 5_000, evalEvery: 1_000, evalEpisodes: 10 },
      seeds: [0, 1, 2],
    })),
    {
      env: aloha,
      algorithm: {
        id: "dgn",
        config: {
          numHeads: 2,
          headSize: 8,
          batchSize: 16,
          learningStarts: 300,
          trainEvery: 2,
          learningRate: 1e-3,
          epsilonEnd: 0.02,
          encoderSizes: [32],
          epsilonDecay: 0.9,
          discount: 0.95,
        },
      },
      run: { steps: 2_500, evalEvery: 500, evalEpisodes: 10 },
      seeds: [0, 1, 2],
    },
    // PIC's task for the actor-critics: cooperative navigation with 3 agents (simple_spread_n3).
    ...["maddpg", "maddpgs", "pic"].map((id) => ({
      env: { id: "mpe/cooperative-navigation", options: { numAgents: 3 } },
      algorithm: { id, config: { batchSize: 64, updateEvery: 25, bufferCapacity: 50_000 } },
      run: { steps: 4_000, evalEvery: 500, evalEpisodes: 20 },
      seeds: [0, 1, 2],
    })),
    {
      env: coordination,
      algorithm: { id: "tabular-q", config: { epsilonDecaySteps: 10_000 } },
      run: { steps: 20_000, evalEvery: 2_000, evalEpisodes: 10 },
      seeds: [0, 1, 2],
    },
  ],
};

/** Skeletons of each paper's full suite: what exists now runs; the rest is listed as pending. */
const bnDagFull: SuiteInput = {
  name: "bn-dag-full",
  description: "BN-DAG (Chen & Zhang, ICML 2023): coordination game and Aloha.",
  figure:
    "Figure 3: final POA of fully > line > uncorrelated BN policies for n = 2, 3, 5 (tabular); MAPPO variants.",
  experiments: [],
  pending: [
    "tabular BN policy gradient (fully/line/uncorrelated), n = 2, 3, 5, seeds 1..49 — policies-bn-dag",
    "BN-MAPPO vs MAPPO on the coordination game and Aloha — trainers (MAPPO) + policies-bn-dag",
  ],
};

const ipFull: SuiteInput = {
  name: "ip-full",
  description: "Intention Propagation (Qu et al. 2020): MPE tasks and CityFlow.",
  figure:
    "IP appendix: cooperative navigation N = 30/100/200, heterogeneous navigation, push, predator-prey; CityFlow N = 16…1225.",
  experiments: [],
  pending: ["MPE environments (issue 3)", "PIC / MADDPG baselines (trainers)", "IP learner (policies-ip)"],
};

const ltosFull: SuiteInput = {
  name: "ltos-full",
  description: "LToS (Yi et al.): prisoner's dilemma, jungle, traffic signal control.",
  figure:
    "LToS: average travel time on the 6x6 grid and real maps; returns on prisoner and jungle vs DGN and fixed-LToS.",
  experiments: [],
  pending: [
    "traffic environments (issue 4)",
    "jungle and prisoner (issue 5)",
    "DGN (trainers)",
    "LToS learner (policies-ltos)",
  ],
};

const dialsFull: SuiteInput = {
  name: "dials-full",
  description: "DIALS (Suau et al.): traffic and warehouse with 4…100 agents, wall-clock per phase.",
  figure:
    "DIALS runtime figure: wall-clock vs number of agents for global, DIALS and untrained-DIALS; returns per variant.",
  experiments: [],
  pending: ["DIALS traffic and warehouse (issues 4, 5)", "PPO (trainers)", "influence-sim"],
};

/** Every suite the bench ships, validated at load so a broken suite fails loudly and early. */
export const SUITES: readonly Suite[] = [quick, bnDagFull, ipFull, ltosFull, dialsFull].map((suite) =>
  parseSuite(suite, `suite ${suite.name}`),
);

export function findSuite(name: string): Suite {
  const suite = SUITES.find((candidate) => candidate.name === name);
  if (!suite) throw new RangeError(`Unknown suite "${name}"; known: ${SUITES.map((s) => s.name).join(", ")}`);
  return suite;
}
