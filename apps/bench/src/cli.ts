#!/usr/bin/env node
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism, homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRng, didYouMean } from "@netmarl/envs";
import { BACKEND_NAMES, type BackendName, initBackend } from "@netmarl/graph-nn";
import { Command, InvalidArgumentError } from "commander";
import { describeConfig } from "./commands/describe-config.js";
import { evaluateSavedPolicy } from "./commands/evaluate-saved-policy.js";
import { fetchDatasets } from "./commands/fetch-data.js";
import { collectMachineInfo } from "./commands/machine-info.js";
import { measureDialsSpeed } from "./commands/measure-dials-speed.js";
import { measureEnvSpeed } from "./commands/measure-env-speed.js";
import { measureNnSpeed } from "./commands/measure-nn-speed.js";
import { measureTrainSpeed } from "./commands/measure-train-speed.js";
import { readDataFile, readObjectOption } from "./commands/read-object-option.js";
import { recordReplay } from "./commands/record-replay.js";
import { runBnDagTabular } from "./commands/run-bn-dag-tabular.js";
import { runCityFlow, runCityFlowGrid } from "./commands/run-cityflow.js";
import { LTOS_TRAFFIC_MAPS, type LtosTrafficVariant, runLtosTraffic } from "./commands/run-ltos-traffic.js";
import { summariseBnDagSuite } from "./commands/summarise-bn-dag-suite.js";
import { summariseDialsSuite } from "./commands/summarise-dials-suite.js";
import { trainOnce } from "./commands/train-once.js";
import { runSuite, type SuiteManifest } from "./execution/run-suite.js";
import { ThreadPool } from "./execution/worker-pool.js";
import { formatReturn } from "./progress/format-return.js";
import { createProgressDisplay } from "./progress/progress-display.js";
import { createSuiteProgress } from "./progress/suite-progress.js";
import { startDialsQueueWorker } from "./queue/dials-queue-worker.js";
import { resolveQueueUrl } from "./queue/queue-connection.js";
import { startSeedQueueWorker } from "./queue/seed-queue-worker.js";
import { ALGORITHMS } from "./registry/algorithms.js";
import { ENVIRONMENTS, findEnvironment } from "./registry/environments.js";
import { aggregateSuite } from "./report/aggregate-suite.js";
import { writeReport } from "./report/write-report.js";
import { readOwnJson } from "./results/result-store.js";
import { parseSuite, type Suite } from "./suites/experiment-schema.js";
import { findSuite, SUITES } from "./suites/suite-registry.js";

function positiveInteger(name: string) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1)
      throw new InvalidArgumentError(`${name} must be an integer >= 1`);
    return parsed;
  };
}

function nonNegativeInteger(name: string) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${name} must be an integer >= 0`);
    return parsed;
  };
}

/** `--seeds 3` → [0, 1, 2]; `--seeds 4,7` → [4, 7]; empty entries and repeats are refused. */
function seedList(value: string): number[] {
  const usage = "--seeds takes a count (3) or a comma-separated list of distinct seeds (0,4,7)";
  const parts = value.split(",").map((part) => part.trim());
  if (parts.some((part) => part === "")) {
    throw new InvalidArgumentError(`${usage}; "${value}" has an empty entry`);
  }
  const numbers = parts.map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError(usage);
  if (parts.length === 1) {
    if (numbers[0] < 1) throw new InvalidArgumentError(`${usage}; a count must be >= 1`);
    return Array.from({ length: numbers[0] }, (_, i) => i);
  }
  const repeated = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (repeated !== undefined) {
    throw new InvalidArgumentError(`${usage}; seed ${repeated} is listed twice`);
  }
  return numbers;
}

/** `--config` / `--env-options`: inline JSON, or a .json/.yaml file. */
function objectOption(option: string) {
  return (value: string) => {
    try {
      return readObjectOption(value, option);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

const BACKEND_HELP = "tensorflow | wasm | cpu (default: NETMARL_BACKEND, else the fastest available)";

/** Exit codes of netmarl-bench, documented in `--help` and the bench README. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the command failed (bad config or suite, unknown id, refused results folder, a run that failed)
  2  usage error (unknown command or option, invalid option value)`;

/** The version in this package's package.json (one folder above both src/ and dist/). */
function benchVersion(): string {
  const path = fileURLToPath(new URL("../package.json", import.meta.url));
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

/**
 * A suite folder (it holds manifest.json), or an --out folder holding exactly one: `report results`
 * then means `report results/quick`. Anything else is refused, naming the suites found.
 */
function findSuiteDirectory(directory: string): string {
  if (existsSync(join(directory, "manifest.json"))) return directory;
  if (!existsSync(directory)) throw new RangeError(`${directory} does not exist`);
  const suites = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(directory, entry.name, "manifest.json")))
    .map((entry) => join(directory, entry.name));
  if (suites.length === 1) return suites[0];
  if (suites.length === 0) {
    throw new RangeError(
      `${directory} has no manifest.json and holds no suite folder: not a netmarl-bench results folder`,
    );
  }
  throw new RangeError(`${directory} holds several suites; name one: ${suites.join(", ")}`);
}

function print(value: unknown, asJson: boolean, human: () => string): void {
  process.stdout.write(asJson ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** A registered suite name, or a JSON or YAML file holding a suite or a single experiment. */
function loadSuite(nameOrFile: string): Suite {
  if (SUITES.some((suite) => suite.name === nameOrFile)) return findSuite(nameOrFile);
  if (!existsSync(nameOrFile)) {
    const names = SUITES.map((s) => s.name);
    throw new RangeError(
      `"${nameOrFile}" is neither a suite (${names.join(", ")}) nor a file.${didYouMean(nameOrFile, names)}`,
    );
  }
  const content = readDataFile(nameOrFile, "suite file");
  if (content && typeof content === "object" && "experiments" in content)
    return parseSuite(content, nameOrFile);
  const name = `experiment-${basename(nameOrFile)
    .replace(/\.(json|ya?ml)$/, "")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")}`;
  return parseSuite(
    { name, description: `Experiment from ${nameOrFile}`, figure: "user experiment", experiments: [content] },
    nameOrFile,
  );
}

/** `--queue` given bare means "the URL in NETMARL_QUEUE_URL". */
function queueUrlOf(option: string | boolean | undefined): string | undefined {
  if (option === undefined || option === false) return undefined;
  return resolveQueueUrl(option === true ? undefined : option);
}

const QUEUE_HELP =
  "run the seeds on `worker` processes through this Redis queue: redis://host:port[/db] or rediss:// (bare: NETMARL_QUEUE_URL)";

async function runAndReport(
  suite: Suite,
  outDirectory: string,
  options: { workers: number; backend?: string; seeds?: number[]; steps?: number; queue?: string | boolean },
) {
  const jobs = suite.experiments.reduce((count, e) => count + (options.seeds ?? e.seeds).length, 0);
  const progress = createSuiteProgress(jobs);
  const { manifest } = await runSuite(suite, {
    outDirectory,
    workers: options.workers,
    backend: options.backend,
    seeds: options.seeds,
    steps: options.steps,
    onJobProgress: (job, p) => progress.jobProgress(job, p),
    onJobDone: (result) => progress.jobDone(result),
    queue: queueUrlOf(options.queue),
    onWarning: (line) => process.stderr.write(`${line}\n`),
  });
  progress.stop();
  const suiteDirectory = join(outDirectory, suite.name);
  const files = await writeReport(suiteDirectory, aggregateSuite(suiteDirectory));
  process.stdout.write(
    `${suite.name}: ${manifest.seeds.length} seeds in ${manifest.wallSeconds.toFixed(1)} s → ${suiteDirectory}\nreport: ${files.html}\n`,
  );
}

const program = new Command()
  .name("netmarl-bench")
  .description("Run, measure and report NetMARL experiments")
  .version(benchVersion(), "-V, --version", "print the version of netmarl-bench")
  .showHelpAfterError()
  .addHelpText("after", `\n${EXIT_CODES_HELP}`)
  // Set before the commands are added, which inherit it. Usage errors (unknown command or option,
  // bad value) exit 2; --help and --version exit 0.
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE));

program
  .command("info")
  .description("Node, TensorFlow.js backend, package versions and cores of this machine")
  .option("--backend <name>", BACKEND_HELP)
  .option("--json", "print JSON")
  .action(async (options: { backend?: string; json?: boolean }) => {
    const info = await collectMachineInfo(options.backend);
    print(info, options.json === true, () =>
      [
        `node       ${info.node} (${info.platform}/${info.arch})`,
        `cpu        ${info.cpuModel} × ${info.cores}`,
        `memory     ${info.memoryGiB} GiB`,
        `backend    ${info.backend} (available: ${info.availableBackends.join(", ")})`,
        ...Object.entries(info.versions).map(([name, version]) => `${name.padEnd(30)} ${version}`),
      ].join("\n"),
    );
  });

program
  .command("list")
  .description("The registered environments, algorithms and suites")
  .option("--json", "print JSON")
  .action((options: { json?: boolean }) => {
    const listing = {
      environments: ENVIRONMENTS.map(({ id, aliases, description }) => ({ id, aliases, description })),
      algorithms: ALGORITHMS.map(({ id, description }) => ({ id, description })),
      suites: SUITES.map(({ name, description, experiments }) => ({
        name,
        description,
        experiments: experiments.length,
      })),
    };
    print(listing, options.json === true, () =>
      [
        "environments:",
        ...listing.environments.map(
          (e) => `  ${e.id.padEnd(32)} ${e.description} (also: ${e.aliases.join(", ")})`,
        ),
        "algorithms:",
        ...listing.algorithms.map((a) => `  ${a.id.padEnd(32)} ${a.description}`),
        "suites:",
        ...listing.suites.map(
          (s) => `  ${s.name.padEnd(32)} ${s.description} (${s.experiments} experiments)`,
        ),
      ].join("\n"),
    );
  });

program
  .command("env-speed")
  .description("Environment steps per second with random actions (resets included)")
  .argument("<env-id>", "a registered environment (see `list`)")
  .option("--agents <n>", "number of agents", positiveInteger("--agents"))
  .option("--grid <RxC>", "grid size for traffic environments, e.g. 35x35")
  .option("--steps <n>", "environment steps to time", positiveInteger("--steps"), 100_000)
  .option("--seed <n>", "seed for the environment and the actions", nonNegativeInteger("--seed"), 1)
  .option("--json", "print JSON")
  .action(
    (
      envId: string,
      options: { agents?: number; grid?: string; steps: number; seed: number; json?: boolean },
    ) => {
      const size = { agents: options.agents, grid: options.grid };
      const env = findEnvironment(envId).create({}, size, createRng(options.seed));
      const progress = createProgressDisplay(`env-speed ${envId}`, options.steps);
      const result = measureEnvSpeed(env, {
        steps: options.steps,
        seed: options.seed,
        onProgress: progress.update,
      });
      progress.stop();
      print(result, options.json === true, () =>
        [
          `${result.envId} with ${result.agents} agents: ${result.steps} steps in ${result.seconds.toFixed(3)} s`,
          `${Math.round(result.envStepsPerSecond).toLocaleString("en")} env steps/s, ${Math.round(result.agentStepsPerSecond).toLocaleString("en")} agent steps/s`,
        ].join("\n"),
      );
    },
  );

program
  .command("nn-speed")
  .description(
    "One training step (forward + backward + Adam) of the mean-field and graph-attention networks, per backend",
  )
  .option("--backends <list>", "comma-separated backends (default: every available one)")
  .option("--batch <n>", "graphs per batch", positiveInteger("--batch"), 256)
  .option("--agents <n>", "nodes per graph", positiveInteger("--agents"), 200)
  .option("--steps <n>", "timed steps per network (after a warm-up)", positiveInteger("--steps"), 5)
  .option("--networks <list>", "mean-field,graph-attention")
  .option(
    "--reference",
    "also time the mean-field step in PyTorch (python3 + torch) in this run and print the ratio",
  )
  .option("--profile", "report the kernels that take the time")
  .option("--json", "print JSON")
  .action(
    async (options: {
      backends?: string;
      batch: number;
      agents: number;
      steps: number;
      networks?: string;
      reference?: boolean;
      profile?: boolean;
      json?: boolean;
    }) => {
      const backends = options.backends?.split(",").map((name) => {
        if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
          throw new InvalidArgumentError(`--backends: "${name}" is not one of ${BACKEND_NAMES.join(", ")}`);
        }
        return name as BackendName;
      });
      const result = await measureNnSpeed({
        backends,
        batchSize: options.batch,
        numAgents: options.agents,
        steps: options.steps,
        networks: options.networks?.split(",") as ("mean-field" | "graph-attention")[] | undefined,
        reference: options.reference === true,
        profile: options.profile === true,
        onProgress: (message) => process.stderr.write(`${message}\n`),
      });
      print(result, options.json === true, () =>
        [
          ...(result.reference === undefined
            ? []
            : [
                `pytorch    mean-field       ${result.reference.secondsPerStep.toFixed(3)} s/step (torch ${result.reference.torch}, ${result.reference.threads} thread${result.reference.threads === 1 ? "" : "s"}, ${result.reference.blas})`,
              ]),
          ...result.backends.flatMap((backend) =>
            backend.results.map(
              (r) =>
                `${`${backend.backend}${backend.threads > 1 ? `×${backend.threads}` : ""}`.padEnd(10)} ${r.network.padEnd(16)} ${r.secondsPerStep.toFixed(3)} s/step${r.ratioToReference === undefined ? "" : ` (PyTorch / NetMARL = ${r.ratioToReference.toFixed(2)})`}`,
            ),
          ),
        ].join("\n"),
      );
    },
  );

program
  .command("train-speed")
  .description(
    "Training-loop throughput (env steps/s) and update rate (updates/s) of each baseline on one task",
  )
  .option("--algorithms <list>", "comma-separated algorithm ids (default: every learning baseline)")
  .option("--env <id>", "environment", "coordination-game")
  .option("--steps <n>", "environment steps per algorithm", positiveInteger("--steps"), 5_000)
  .option("--agents <n>", "number of agents", positiveInteger("--agents"))
  .option(
    "--config <json|file>",
    "algorithm config (inline JSON or a .json/.yaml file), applied to every listed algorithm",
    objectOption("--config"),
  )
  .option("--backend <name>", "TensorFlow.js backend")
  .option(
    "--reference",
    "also time the original PIC code's update block (PyTorch, one thread) in this run; maddpg, maddpgs, pic",
  )
  .option(
    "--pic-source <dir>",
    "the maddpg/ folder of a github.com/IouJenLiu/PIC checkout (default: $NETMARL_PIC_SOURCE)",
  )
  .option("--json", "print JSON")
  .action(
    async (options: {
      algorithms?: string;
      env: string;
      steps: number;
      agents?: number;
      config?: Record<string, unknown>;
      backend?: string;
      reference?: boolean;
      picSource?: string;
      json?: boolean;
    }) => {
      const picSource =
        options.reference === true ? (options.picSource ?? process.env.NETMARL_PIC_SOURCE) : undefined;
      if (options.reference === true && picSource === undefined) {
        throw new InvalidArgumentError(
          "--reference needs --pic-source <dir> or NETMARL_PIC_SOURCE: the maddpg/ folder of a github.com/IouJenLiu/PIC checkout",
        );
      }
      const backend = await initBackend(options.backend as BackendName | undefined, { log: false });
      const ids =
        options.algorithms?.split(",") ??
        ALGORITHMS.map((a) => a.id).filter((id) => id !== "random" && id !== "fixed-policy");
      const rows = ids.map((algorithmId) => ({
        backend,
        ...measureTrainSpeed({
          algorithmId,
          envId: options.env,
          steps: options.steps,
          config: options.config,
          agents: options.agents,
          picSource,
        }),
      }));
      print(rows, options.json === true, () =>
        rows
          .map(
            (r) =>
              `${r.algorithm.padEnd(12)} ${r.envId} (${r.agents} agents, ${r.backend}): ${Math.round(r.envStepsPerSecond).toLocaleString("en")} env steps/s, ${r.updates} updates at ${r.updatesPerSecond.toFixed(1)}/s` +
              (r.reference === undefined
                ? ""
                : `; update block ${r.medianBlockSeconds.toFixed(2)} s (median of ${r.updates}, first ${r.blockSeconds[0]?.toFixed(2)} s) vs the original PIC code ${r.reference.secondsPerBlock.toFixed(2)} s (torch ${r.reference.torch}, ${r.reference.threads} thread): original / NetMARL = ${r.reference.ratio.toFixed(2)}` +
                  `; whole loop in steady state ${r.reference.wholeLoop.netmarl.toFixed(1)} env steps/s vs the original's at most ${r.reference.wholeLoop.originalAtMost.toFixed(1)} (its acting counted as free): NetMARL / original ≥ ${r.reference.wholeLoop.ratioAtLeast.toFixed(2)}`),
          )
          .join("\n"),
      );
    },
  );

program
  .command("dials-speed")
  .description("Wall time of one DIALS iteration on the traffic grid per worker count, and the GS baseline's")
  .option("--side <n>", "intersections per grid side (5 = 25 agents)", positiveInteger("--side"), 5)
  .option("--steps <n>", "steps per agent in the iteration", positiveInteger("--steps"), 1_000)
  .option(
    "--workers <list>",
    "comma-separated worker-thread counts (0 = in-process); with --queue, agent groups (jobs per call)",
    "1,2",
  )
  .option(
    "--queue [url]",
    "train the agents on `worker` processes through this Redis queue (bare: NETMARL_QUEUE_URL)",
  )
  .option("--backend <name>", "TensorFlow.js backend (also the queue workers')")
  .option("--json", "print JSON")
  .action(
    async (options: {
      side: number;
      steps: number;
      workers: string;
      queue?: string | boolean;
      backend?: string;
      json?: boolean;
    }) => {
      const backend = await initBackend(options.backend as BackendName | undefined, { log: false });
      const workers = options.workers.split(",").map((value) => {
        const count = Number(value);
        if (!Number.isInteger(count) || count < 0) {
          throw new InvalidArgumentError(`--workers: "${value}" is not an integer >= 0`);
        }
        return count;
      });
      const queueUrl = queueUrlOf(options.queue);
      if (queueUrl !== undefined && workers.includes(0)) {
        throw new InvalidArgumentError(
          "--workers: with --queue every entry is a number of agent groups >= 1",
        );
      }
      const rows = await measureDialsSpeed({
        side: options.side,
        steps: options.steps,
        workers,
        seed: 0,
        queueUrl,
        backend,
      });
      print(rows, options.json === true, () =>
        rows
          .map(
            (r) =>
              `${r.variant.padEnd(6)} ${r.executor.padEnd(14)} ${String(r.workers).padStart(2)} ${r.executor === "queue" ? "groups " : "workers"}, ${r.agents} agents × ${r.steps} steps: ` +
              Object.entries(r.seconds)
                .map(([phase, seconds]) => `${phase} ${seconds.toFixed(1)} s`)
                .join(", ") +
              `; training ${r.trainingSecondsPer100kAgentSteps.toFixed(1)} s / 100K agent steps; simulator ${(r.simulatorSecondsPerAgentStep * 1e6).toFixed(1)} µs / agent step (load ${r.loadAverage.toFixed(2)} per core)`,
          )
          .join("\n"),
      );
    },
  );

program
  .command("cityflow")
  .description(
    "Run NetMARL's CityFlow engine on a CityFlow config.json (or a generated RxC grid) in fixed-time mode",
  )
  .argument(
    "<config-or-grid>",
    "a CityFlow config.json, or RxC for CityFlow's generated grid (--tlPlan --turn --interval 10)",
  )
  .option("--steps <n>", "simulation steps", positiveInteger("--steps"), 3600)
  .option("--json", "print JSON")
  .action((target: string, options: { steps: number; json?: boolean }) => {
    const progress = createProgressDisplay(`cityflow ${target}`, options.steps);
    const run = /^\d+x\d+$/.test(target) ? runCityFlowGrid : runCityFlow;
    const result = run(target, { steps: options.steps, onProgress: progress.update });
    progress.stop();
    print(result, options.json === true, () =>
      [
        `${target}: average travel time ${result.averageTravelTime.toFixed(4)} s, ${result.vehiclesFinished}/${result.vehiclesCreated} vehicles finished`,
        `${result.steps} steps in ${result.seconds.toFixed(2)} s (${Math.round(result.stepsPerSecond).toLocaleString("en")} steps/s)`,
      ].join("\n"),
    );
  });

program
  .command("train")
  .description("Train one algorithm on one environment and evaluate it")
  .argument("<algorithm>", "a registered algorithm (see `list`)")
  .argument("<env-id>", "a registered environment")
  .option("--steps <n>", "environment steps", positiveInteger("--steps"), 50_000)
  .option("--seed <n>", "root seed", nonNegativeInteger("--seed"), 0)
  .option("--agents <n>", "number of agents (sets the environment's numAgents)", positiveInteger("--agents"))
  .option(
    "--config <json|file>",
    "algorithm config: inline JSON or a .json/.yaml file (keys: `describe <algorithm>`)",
    objectOption("--config"),
  )
  .option(
    "--env-options <json|file>",
    "environment options: inline JSON or a .json/.yaml file (keys: `describe <env-id>`)",
    objectOption("--env-options"),
  )
  .option(
    "--eval-episodes <n>",
    "greedy evaluation episodes at the end",
    positiveInteger("--eval-episodes"),
    20,
  )
  .option("--metrics <file>", "write every metric record to a new .csv (long form) or .jsonl file")
  .option("--save <dir>", "save the trained policy into this folder (see `evaluate`)")
  .option("--backend <name>", BACKEND_HELP)
  .option("--json", "print JSON")
  .action(
    async (
      algorithmId: string,
      envId: string,
      options: {
        steps: number;
        seed: number;
        agents?: number;
        config?: Record<string, unknown>;
        envOptions?: Record<string, unknown>;
        evalEpisodes: number;
        metrics?: string;
        save?: string;
        backend?: string;
        json?: boolean;
      },
    ) => {
      // Learners build tensors in their constructors: a backend must be ready first.
      const backend = await initBackend(options.backend as BackendName | undefined, { log: false });
      const progress = createProgressDisplay(`train ${algorithmId} on ${envId}`, options.steps);
      const result = trainOnce({
        algorithmId,
        envId,
        ...options,
        metricsPath: options.metrics,
        saveDirectory: options.save,
        onProgress: (done) => progress.update(done),
      });
      progress.stop();
      print({ ...result, backend }, options.json === true, () =>
        [
          `${algorithmId} on ${envId} (${result.agents} agents, seed ${result.seed}, ${backend}): ${result.envSteps} steps in ${result.seconds.toFixed(1)} s`,
          `mean training return ${formatReturn(result.meanEpisodeReturn, 3)}${result.episodes === 0 ? ` (no episode finished within ${result.envSteps} steps)` : ""}, greedy evaluation ${formatReturn(result.lastEvaluationReturn, 3)}`,
          ...(options.save
            ? [`policy saved to ${options.save} (run it again: evaluate ${options.save})`]
            : []),
        ].join("\n"),
      );
    },
  );

program
  .command("evaluate")
  .description("Play greedy episodes with a policy saved by `train --save`")
  .argument("<dir>", "the folder given to train --save")
  .option("--episodes <n>", "greedy episodes", positiveInteger("--episodes"), 20)
  .option("--seed <n>", "seed of the evaluation episodes", nonNegativeInteger("--seed"), 0)
  .option("--backend <name>", BACKEND_HELP)
  .option("--json", "print JSON")
  .action(
    async (
      directory: string,
      options: { episodes: number; seed: number; backend?: string; json?: boolean },
    ) => {
      const backend = await initBackend(options.backend as BackendName | undefined, { log: false });
      const result = evaluateSavedPolicy(directory, options);
      print(
        { ...result, backend },
        options.json === true,
        () =>
          `${result.algorithm} on ${result.envId} (${backend}): mean return ${formatReturn(result.meanReturn, 3)} over ${result.episodes} greedy episodes (seed ${result.seed})`,
      );
    },
  );

program
  .command("record")
  .description(
    "Record greedy episodes as a replay for the viewer (docs/replay-format.md); without --policy the algorithm's freshly built learner acts (`random`: uniform random actions)",
  )
  .argument("<algorithm>", "a registered algorithm (see `list`)")
  .argument("<env-id>", "a registered environment")
  .option("--policy <dir>", "a folder written by `train --save`: its trained learner acts")
  .option("--episodes <n>", "episodes to record", positiveInteger("--episodes"), 1)
  .option(
    "--seed <n>",
    "seed of the environment, the learner's initial weights and the episodes",
    nonNegativeInteger("--seed"),
    0,
  )
  .option("--out <file>", "replay file to write (.ndjson, or .ndjson.gz to gzip it)", "replay.ndjson.gz")
  .option("--every <k>", "record a frame every k env steps (and the last)", positiveInteger("--every"), 1)
  .option("--agents <n>", "number of agents (sets the environment's numAgents)", positiveInteger("--agents"))
  .option("--config <json|file>", "algorithm config (without --policy)", objectOption("--config"))
  .option(
    "--env-options <json|file>",
    "environment options (without --policy)",
    objectOption("--env-options"),
  )
  .option("--cityflow", "traffic: also write CityFlow's roadnet log and replay log beside --out")
  .option("--observations", "store every frame's observations (the viewer's hover summary)")
  .option("--backend <name>", BACKEND_HELP)
  .option("--json", "print JSON")
  .action(
    async (
      algorithmId: string,
      envId: string,
      options: {
        policy?: string;
        episodes: number;
        seed: number;
        out: string;
        every: number;
        agents?: number;
        config?: Record<string, unknown>;
        envOptions?: Record<string, unknown>;
        cityflow?: boolean;
        observations?: boolean;
        backend?: string;
        json?: boolean;
      },
    ) => {
      const backend = await initBackend(options.backend as BackendName | undefined, { log: false });
      const result = recordReplay({
        algorithmId,
        envId,
        policyDirectory: options.policy,
        episodes: options.episodes,
        seed: options.seed,
        outPath: options.out,
        recordEvery: options.every,
        agents: options.agents,
        config: options.config,
        envOptions: options.envOptions,
        cityflow: options.cityflow,
        observations: options.observations,
      });
      print({ ...result, backend }, options.json === true, () =>
        [
          `${result.algorithm} on ${result.envId} (${backend}): ${result.steps.length} episode(s), ${result.steps.reduce((a, b) => a + b, 0)} steps, mean returns ${result.meanReturns.map((r) => formatReturn(r, 3)).join(", ")} → ${result.path}`,
          ...(result.cityflowFiles
            ? [
                `CityFlow replay: ${result.cityflowFiles.roadnetLogFile} + ${result.cityflowFiles.replayLogFile}`,
              ]
            : []),
        ].join("\n"),
      );
    },
  );

program
  .command("describe")
  .description("Every config key of an algorithm, or every option of an environment: type, default, doc")
  .argument("<algorithm-or-env>", "a registered algorithm or environment (see `list`)")
  .option("--json", "print JSON")
  .action((id: string, options: { json?: boolean }) => {
    const described = describeConfig(id);
    const width = Math.max(4, ...described.keys.map((k) => k.key.length));
    const typeWidth = Math.max(4, ...described.keys.map((k) => k.type.length));
    print(described, options.json === true, () =>
      [
        `${described.kind} ${described.id}: ${described.description}`,
        `${described.kind === "algorithm" ? "config keys (--config, suite algorithm.config)" : "options (--env-options, suite env.options)"}:`,
        ...described.keys.map(
          (k) =>
            `  ${k.key.padEnd(width)}  ${k.type.padEnd(typeWidth)}  default ${k.default}${k.doc ? `  ${k.doc}` : ""}`,
        ),
      ].join("\n"),
    );
  });

program
  .command("run")
  .description("Run a suite (or a JSON experiment/suite file) into a results folder, then write its report")
  .argument("<suite-or-file>", "a suite name (see `list`) or a JSON file")
  .option("--seeds <seeds>", "seed count (3) or list (0,4,7), replacing each experiment's seeds", seedList)
  .option("--steps <n>", "environment steps, replacing each experiment's budget", positiveInteger("--steps"))
  .option(
    "--workers <n>",
    "worker threads (1 = this process; with --queue the workers are `worker` processes)",
    positiveInteger("--workers"),
    availableParallelism(),
  )
  .option("--backend <name>", "TensorFlow.js backend of every worker")
  .option("--out <dir>", "results folder", "results")
  .option("--queue [url]", QUEUE_HELP)
  .action(
    async (
      target: string,
      options: {
        seeds?: number[];
        steps?: number;
        workers: number;
        backend?: string;
        out: string;
        queue?: string | boolean;
      },
    ) => {
      await runAndReport(loadSuite(target), resolve(options.out), options);
    },
  );

program
  .command("resume")
  .description(
    "Finish an interrupted suite run: finished seeds are kept, unfinished ones continue from their checkpoints",
  )
  .argument("<results-dir>", "a suite folder, e.g. results/quick, or the --out folder holding one suite")
  .option("--workers <n>", "worker threads", positiveInteger("--workers"), availableParallelism())
  .option("--backend <name>", "TensorFlow.js backend of every worker")
  .option("--queue [url]", QUEUE_HELP)
  .action(
    async (directory: string, options: { workers: number; backend?: string; queue?: string | boolean }) => {
      const suiteDirectory = findSuiteDirectory(directory);
      const manifest = readOwnJson<SuiteManifest>(join(suiteDirectory, "manifest.json"));
      await runAndReport(manifest.suite, dirname(resolve(suiteDirectory)), options);
    },
  );

program
  .command("worker")
  .description(
    "Run suite seeds (and DIALS agent groups) from a Redis queue until stopped (Ctrl-C); see `run --queue`",
  )
  .option("--queue [url]", "redis://host:port[/db] or rediss:// (bare or absent: NETMARL_QUEUE_URL)")
  .option("--concurrency <k>", "jobs at once, one worker thread each", positiveInteger("--concurrency"), 1)
  .option("--backend <name>", "TensorFlow.js backend of jobs that do not name one")
  .option(
    "--store <dir>",
    "results folder: the only place this worker writes (share it with `run --out` to skip sending files back)",
    "results",
  )
  .option(
    "--lock-seconds <n>",
    "job lock: a dead worker's job moves to another after about this long",
    positiveInteger("--lock-seconds"),
    30,
  )
  .action(
    async (options: {
      queue?: string | boolean;
      concurrency: number;
      backend?: string;
      store: string;
      lockSeconds: number;
    }) => {
      const url = resolveQueueUrl(typeof options.queue === "string" ? options.queue : undefined);
      const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
      // one thread per concurrent job, whichever queue it comes from
      const pool = new ThreadPool(options.concurrency);
      const workers = [
        startSeedQueueWorker({ ...options, url, pool, storeDirectory: resolve(options.store), log }),
        startDialsQueueWorker({
          url,
          concurrency: options.concurrency,
          pool,
          backend: options.backend,
          lockSeconds: options.lockSeconds,
          log,
        }),
      ];
      await new Promise<void>((done) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => done());
      });
      log("stopping: waiting for the running jobs");
      await Promise.all(workers.map((worker) => worker.close()));
      await pool.close();
    },
  );

program
  .command("report")
  .description("Render a suite folder's HTML report, Markdown summary and CSV tables")
  .argument("<results-dir>", "a suite folder, e.g. results/quick, or the --out folder holding one suite")
  .action(async (directory: string) => {
    const suiteDirectory = findSuiteDirectory(directory);
    const files = await writeReport(suiteDirectory, aggregateSuite(suiteDirectory));
    process.stdout.write(`${files.html}\n${files.markdown}\n${files.curvesCsv}\n${files.finalCsv}\n`);
  });

/** `1-49` → 1…49; `2,3,5` → [2, 3, 5]; parts may mix. */
function integerList(name: string) {
  return (value: string) => {
    const out: number[] = [];
    for (const part of value.split(",")) {
      const range = /^(\d+)-(\d+)$/.exec(part.trim());
      if (range) for (let k = Number(range[1]); k <= Number(range[2]); k++) out.push(k);
      else if (/^\d+$/.test(part.trim())) out.push(Number(part));
      else
        throw new InvalidArgumentError(
          `${name} takes integers and ranges, e.g. 2,3,5 or 1-49; got "${part}"`,
        );
    }
    if (new Set(out).size !== out.length)
      throw new InvalidArgumentError(`${name} lists a value twice: ${value}`);
    return out;
  };
}

program
  .command("bn-dag-tabular")
  .description(
    "BN-DAG Figure 3: exact tabular BN policy gradient on the coordination game (POA and Nash gap per n, DAG, seed); resumable",
  )
  .option("--agents <list>", "numbers of agents", integerList("--agents"), [2, 3, 5])
  .option("--dags <list>", "DAG kinds: fully, line, line-original, none", "fully,line,line-original,none")
  .option(
    "--seeds <list>",
    "seeds (run.py: 1..49)",
    integerList("--seeds"),
    Array.from({ length: 49 }, (_, i) => i + 1),
  )
  .option("--iterations <n>", "SGD steps", positiveInteger("--iterations"), 2000)
  .option(
    "--curve-every <n>",
    "store POA and Nash gap every n iterations",
    positiveInteger("--curve-every"),
    10,
  )
  .option("--out <dir>", "results folder", "results/bn-dag-tabular")
  .action(
    (options: {
      agents: number[];
      dags: string;
      seeds: number[];
      iterations: number;
      curveEvery: number;
      out: string;
    }) => {
      const progress = createProgressDisplay(
        "bn-dag-tabular",
        options.agents.length * options.seeds.length * options.dags.split(",").length,
      );
      const rows = runBnDagTabular({
        agents: options.agents,
        dags: options.dags.split(",") as never,
        seeds: options.seeds,
        iterations: options.iterations,
        curveEvery: options.curveEvery,
        out: resolve(options.out),
        onRunDone: (done) => progress.update(done),
      });
      progress.stop();
      for (const row of rows) {
        const half = (m: { low: number; high: number }) => ((m.high - m.low) / 2).toFixed(4);
        process.stdout.write(
          `n=${row.numAgents} ${row.dag.padEnd(13)} POA ${row.priceOfAnarchy.mean.toFixed(4)} ± ${half(row.priceOfAnarchy)}  Nash gap ${row.nashGap.mean.toFixed(4)} ± ${half(row.nashGap)} (state-only ${row.nashGapStateOnly.mean.toFixed(4)})  (${row.seeds} seeds)\n`,
        );
      }
      process.stdout.write(`${join(resolve(options.out), "summary.md")}\n`);
    },
  );

program
  .command("ltos-traffic")
  .description(
    "LToS traffic experiment as the original code runs it: rounds of 4 generator episodes, Keras-style Q fit, w every 5th round, greedy test ATT per round; resumable mid-round",
  )
  .option("--map <name>", `map: ${Object.keys(LTOS_TRAFFIC_MAPS).join(", ")}`, "6x6")
  .option("--data <dir>", "folder of the CityFlow datasets", "../shared/data/cityflow")
  .option("--variants <list>", "ltos, fixed-ltos, no-sharing", "ltos,fixed-ltos,no-sharing")
  .option("--rounds <n>", "rounds per variant (the original: 100)", positiveInteger("--rounds"), 100)
  .option("--seed <n>", "seed", nonNegativeInteger("--seed"), 0)
  .option(
    "--episode-seconds <n>",
    "simulated seconds per episode",
    positiveInteger("--episode-seconds"),
    3600,
  )
  .option("--out <dir>", "results folder", "results/ltos-traffic")
  .option("--backend <name>", BACKEND_HELP)
  .action(
    async (options: {
      backend?: string;
      map: string;
      data: string;
      variants: string;
      rounds: number;
      seed: number;
      episodeSeconds: number;
      out: string;
    }) => {
      if (!(options.map in LTOS_TRAFFIC_MAPS)) {
        throw new InvalidArgumentError(`--map must be one of ${Object.keys(LTOS_TRAFFIC_MAPS).join(", ")}`);
      }
      const variants = options.variants.split(",") as LtosTrafficVariant[];
      for (const variant of variants) {
        if (!["ltos", "fixed-ltos", "no-sharing"].includes(variant)) {
          throw new InvalidArgumentError(`--variants: unknown variant "${variant}"`);
        }
      }
      await initBackend(options.backend as BackendName | undefined, { log: false });
      const rows = runLtosTraffic({
        map: options.map as keyof typeof LTOS_TRAFFIC_MAPS,
        dataDirectory: resolve(options.data),
        variants,
        rounds: options.rounds,
        seed: options.seed,
        episodeSeconds: options.episodeSeconds,
        out: resolve(options.out),
        onRound: (variant, r) =>
          process.stdout.write(
            `${variant} round ${r.round}: test ATT ${r.testAverageTravelTime.toFixed(1)} s, ${r.qEpochs} Q epochs${r.sharingTrained ? ", w trained" : ""}, self weight ${r.selfWeight.toFixed(3)}, ${r.seconds.toFixed(0)} s\n`,
          ),
      });
      for (const row of rows) {
        process.stdout.write(
          `${row.variant.padEnd(11)} rounds ${row.rounds}: ATT ${row.firstTestAverageTravelTime.toFixed(1)} → ${row.lastTestAverageTravelTime.toFixed(1)} (best ${row.bestTestAverageTravelTime.toFixed(1)}), ${row.meanRoundSeconds.toFixed(0)} s per round\n`,
        );
      }
      process.stdout.write(`${join(resolve(options.out), "summary.md")}\n`);
    },
  );

program
  .command("bn-dag-summary")
  .description(
    "Final exact POA and evaluation return of a BN-DAG suite's experiments, next to the constant policy's POA",
  )
  .argument("<results-dir>", "a suite folder, e.g. results/bn-dag-lite")
  .action((directory: string) => {
    const { file } = summariseBnDagSuite(resolve(directory));
    process.stdout.write(`${readFileSync(file, "utf8")}${file}\n`);
  });

program
  .command("dials-summary")
  .description(
    "Final returns and per-phase runtimes (seconds per 100K steps) of a DIALS suite, beside the paper's",
  )
  .argument("<results-dir>", "a suite folder, e.g. results/dials-lite")
  .action((directory: string) => {
    const { file } = summariseDialsSuite(resolve(directory));
    process.stdout.write(`${readFileSync(file, "utf8")}${file}\n`);
  });

program
  .command("fetch-data")
  .description(
    "Download the public CityFlow datasets (Hangzhou 4x4, LToS 6x6) into a cache, verifying checksums",
  )
  .option("--cache <dir>", "cache folder", join(homedir(), ".cache", "netmarl", "datasets"))
  .option("--base-url <url>", "raw-file server to download from (a mirror)")
  .action(async (options: { cache: string; baseUrl?: string }) => {
    for (const file of await fetchDatasets({ cacheDirectory: options.cache, baseUrl: options.baseUrl })) {
      process.stdout.write(`${file.status.padEnd(10)} ${file.file}\n`);
    }
  });

/** One line naming the problem, never a stack or bundled source; exit code 1 (see EXIT_CODES_HELP). */
function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`netmarl-bench: ${message.split("\n").join("\n  ")}\n`);
  process.exitCode = EXIT_FAILURE;
}
// Errors escaping from callbacks (a worker's message, a timer) end the run the same way.
process.on("uncaughtException", (error) => {
  fail(error);
  process.exit(EXIT_FAILURE);
});
process.on("unhandledRejection", (reason) => {
  fail(reason);
  process.exit(EXIT_FAILURE);
});
program.parseAsync(process.argv).catch(fail);
