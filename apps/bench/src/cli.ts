#!/usr/bin/env node
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createRng } from "@netmarl/envs";
import { BACKEND_NAMES, type BackendName, initBackend } from "@netmarl/graph-nn";
import { Command, InvalidArgumentError } from "commander";
import { fetchDatasets } from "./commands/fetch-data.js";
import { collectMachineInfo } from "./commands/machine-info.js";
import { measureEnvSpeed } from "./commands/measure-env-speed.js";
import { measureNnSpeed } from "./commands/measure-nn-speed.js";
import { measureTrainSpeed } from "./commands/measure-train-speed.js";
import { runCityFlow, runCityFlowGrid } from "./commands/run-cityflow.js";
import { trainOnce } from "./commands/train-once.js";
import { runSuite, type SuiteManifest } from "./execution/run-suite.js";
import { formatReturn } from "./progress/format-return.js";
import { createProgressDisplay } from "./progress/progress-display.js";
import { createSuiteProgress } from "./progress/suite-progress.js";
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

/** `--seeds 3` → [0, 1, 2]; `--seeds 4,7` → [4, 7]. */
function seedList(value: string): number[] {
  const parts = value.split(",").map((part) => part.trim());
  const numbers = parts.map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidArgumentError("--seeds takes a count (3) or a comma-separated list of seeds (0,4,7)");
  }
  return parts.length === 1 ? Array.from({ length: numbers[0] }, (_, i) => i) : numbers;
}

function jsonObject(value: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(value);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed;
  } catch {}
  throw new InvalidArgumentError("--config takes a JSON object, e.g. '{\"learningRate\":0.05}'");
}

function print(value: unknown, asJson: boolean, human: () => string): void {
  process.stdout.write(asJson ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** A registered suite name, or a JSON file holding a suite or a single experiment. */
function loadSuite(nameOrFile: string): Suite {
  if (SUITES.some((suite) => suite.name === nameOrFile)) return findSuite(nameOrFile);
  if (!existsSync(nameOrFile)) {
    throw new RangeError(
      `"${nameOrFile}" is neither a suite (${SUITES.map((s) => s.name).join(", ")}) nor a file`,
    );
  }
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(nameOrFile, "utf8"));
  } catch (error) {
    throw new RangeError(`${nameOrFile} is not valid JSON: ${(error as Error).message}`);
  }
  if (content && typeof content === "object" && "experiments" in content)
    return parseSuite(content, nameOrFile);
  const name = `experiment-${basename(nameOrFile)
    .replace(/\.json$/, "")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")}`;
  return parseSuite(
    { name, description: `Experiment from ${nameOrFile}`, figure: "user experiment", experiments: [content] },
    nameOrFile,
  );
}

async function runAndReport(
  suite: Suite,
  outDirectory: string,
  options: { workers: number; backend?: string; seeds?: number[]; steps?: number },
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
  .showHelpAfterError();

program
  .command("info")
  .description("Node, TensorFlow.js backend, package versions and cores of this machine")
  .option(
    "--backend <name>",
    "tensorflow | wasm | cpu (default: NETMARL_BACKEND, else the fastest available)",
  )
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
      environments: ENVIRONMENTS.map(({ id, description }) => ({ id, description })),
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
        ...listing.environments.map((e) => `  ${e.id.padEnd(28)} ${e.description}`),
        "algorithms:",
        ...listing.algorithms.map((a) => `  ${a.id.padEnd(28)} ${a.description}`),
        "suites:",
        ...listing.suites.map(
          (s) => `  ${s.name.padEnd(28)} ${s.description} (${s.experiments} experiments)`,
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
  .option("--profile", "report the kernels that take the time")
  .option("--json", "print JSON")
  .action(
    async (options: {
      backends?: string;
      batch: number;
      agents: number;
      steps: number;
      networks?: string;
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
        profile: options.profile === true,
        onProgress: (message) => process.stderr.write(`${message}\n`),
      });
      print(result, options.json === true, () =>
        result.backends
          .flatMap((backend) =>
            backend.results.map(
              (r) =>
                `${backend.backend.padEnd(10)} ${r.network.padEnd(16)} ${r.secondsPerStep.toFixed(3)} s/step${r.ratioToAnchor === undefined ? "" : ` (PyTorch anchor / NetMARL = ${r.ratioToAnchor.toFixed(2)})`}`,
            ),
          )
          .join("\n"),
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
  .option("--backend <name>", "TensorFlow.js backend")
  .option("--json", "print JSON")
  .action(
    async (options: {
      algorithms?: string;
      env: string;
      steps: number;
      backend?: string;
      json?: boolean;
    }) => {
      const backend = await initBackend(options.backend as BackendName | undefined, { log: false });
      const ids =
        options.algorithms?.split(",") ??
        ALGORITHMS.map((a) => a.id).filter((id) => id !== "random" && id !== "fixed-policy");
      const rows = ids.map((algorithmId) => ({
        backend,
        ...measureTrainSpeed({ algorithmId, envId: options.env, steps: options.steps }),
      }));
      print(rows, options.json === true, () =>
        rows
          .map(
            (r) =>
              `${r.algorithm.padEnd(12)} ${r.envId} (${r.agents} agents, ${r.backend}): ${Math.round(r.envStepsPerSecond).toLocaleString("en")} env steps/s, ${r.updates} updates at ${r.updatesPerSecond.toFixed(1)}/s`,
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
  .option("--agents <n>", "number of agents", positiveInteger("--agents"))
  .option("--config <json>", "algorithm config as a JSON object", jsonObject)
  .option(
    "--eval-episodes <n>",
    "greedy evaluation episodes at the end",
    positiveInteger("--eval-episodes"),
    20,
  )
  .option("--metrics <file>", "append every metric record to a .csv (long form) or .jsonl file")
  .option(
    "--backend <name>",
    "tensorflow | wasm | cpu (default: NETMARL_BACKEND, else the fastest available)",
  )
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
        evalEpisodes: number;
        metrics?: string;
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
        onProgress: (done) => progress.update(done),
      });
      progress.stop();
      print({ ...result, backend }, options.json === true, () =>
        [
          `${algorithmId} on ${envId} (${result.agents} agents, seed ${result.seed}, ${backend}): ${result.envSteps} steps in ${result.seconds.toFixed(1)} s`,
          `mean training return ${formatReturn(result.meanEpisodeReturn, 3)}${result.episodes === 0 ? ` (no episode finished within ${result.envSteps} steps)` : ""}, greedy evaluation ${formatReturn(result.lastEvaluationReturn, 3)}`,
        ].join("\n"),
      );
    },
  );

program
  .command("run")
  .description("Run a suite (or a JSON experiment/suite file) into a results folder, then write its report")
  .argument("<suite-or-file>", "a suite name (see `list`) or a JSON file")
  .option("--seeds <seeds>", "seed count (3) or list (0,4,7), replacing each experiment's seeds", seedList)
  .option("--steps <n>", "environment steps, replacing each experiment's budget", positiveInteger("--steps"))
  .option(
    "--workers <n>",
    "worker threads (1 = this process)",
    positiveInteger("--workers"),
    availableParallelism(),
  )
  .option("--backend <name>", "TensorFlow.js backend of every worker")
  .option("--out <dir>", "results folder", "results")
  .action(
    async (
      target: string,
      options: { seeds?: number[]; steps?: number; workers: number; backend?: string; out: string },
    ) => {
      await runAndReport(loadSuite(target), resolve(options.out), options);
    },
  );

program
  .command("resume")
  .description(
    "Finish an interrupted suite run: finished seeds are kept, unfinished ones continue from their checkpoints",
  )
  .argument("<results-dir>", "a suite folder, e.g. results/quick")
  .option("--workers <n>", "worker threads", positiveInteger("--workers"), availableParallelism())
  .option("--backend <name>", "TensorFlow.js backend of every worker")
  .action(async (directory: string, options: { workers: number; backend?: string }) => {
    const manifestPath = join(directory, "manifest.json");
    if (!existsSync(manifestPath))
      throw new RangeError(`${directory} has no manifest.json: not a suite results folder`);
    const manifest = readOwnJson<SuiteManifest>(manifestPath);
    await runAndReport(manifest.suite, dirname(resolve(directory)), options);
  });

program
  .command("report")
  .description("Render a suite folder's HTML report, Markdown summary and CSV tables")
  .argument("<results-dir>", "a suite folder, e.g. results/quick")
  .action(async (directory: string) => {
    const files = await writeReport(directory, aggregateSuite(directory));
    process.stdout.write(`${files.html}\n${files.markdown}\n${files.curvesCsv}\n${files.finalCsv}\n`);
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

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`netmarl-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
