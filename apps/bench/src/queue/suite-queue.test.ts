import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "@netmarl/graph-nn";
import { type DialsConfigInput, InlineExecutor, runDials } from "@netmarl/influence-sim";
import { Job, Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSuite } from "../execution/run-suite.js";
import { snapshotSuite } from "../execution/suite-snapshot.fixture.js";
import { parseSuite, type SuiteInput } from "../suites/experiment-schema.js";
import { QueueExecutor } from "./dials-queue-executor.js";
import { connectQueue, SEED_QUEUE } from "./queue-connection.js";
import { redisAvailability, TestRedis } from "./redis-server.fixture.js";
import { SEED_MESSAGE_FORMAT } from "./seed-job-message.js";

const redis = redisAvailability();
if (!redis.available) console.warn(`suite-queue.test.ts ${redis.reason}`);

const repoRoot = join(import.meta.dirname, "..", "..", "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "netmarl-queue-"));
/** The store shared by the coordinator and worker "shared"; worker "private" has its own. */
const sharedStore = join(scratch, "shared");
const privateStore = join(scratch, "private");

const experiments: SuiteInput["experiments"] = [
  {
    env: { id: "coordination-game", options: { numAgents: 3 } },
    algorithm: { id: "tabular-q", config: { epsilonDecaySteps: 20_000 } },
    run: { steps: 20_000, evalEvery: 5_000, evalEpisodes: 5, checkpointEvery: 2_000 },
    seeds: [0, 1],
  },
  {
    env: { id: "coordination-game", options: { numAgents: 3 } },
    algorithm: { id: "random" },
    run: { steps: 5_000, evalEvery: 2_500, evalEpisodes: 5 },
    seeds: [0, 1],
  },
];
const suiteNamed = (name: string) =>
  parseSuite({ name, description: "queue test", figure: "none", experiments });

/** A `bench worker` process; `output` collects what it prints. */
class WorkerProcess {
  output = "";
  readonly child: ChildProcess;
  constructor(url: string, store: string) {
    this.child = spawn(
      process.execPath,
      [
        "--conditions=@netmarl/source",
        "--import",
        "tsx",
        join(repoRoot, "apps/bench/src/cli.ts"),
        "worker",
        "--queue",
        url,
        "--store",
        store,
        "--backend",
        "cpu",
        "--lock-seconds",
        "2",
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
  }
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill(signal);
    await exited;
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const seedFile = (suite: string, algorithm: string, seed: number, file: string) =>
  join(sharedStore, suite, "coordination-game-v1", algorithm, `seed-${seed}`, file);

describe.skipIf(!redis.available)("suites on the Redis queue", () => {
  const server = new TestRedis();
  const workers: WorkerProcess[] = [];
  let reference: Record<string, unknown>;
  const queueRun = (name: string) =>
    runSuite(suiteNamed(name), { outDirectory: sharedStore, workers: 1, backend: "cpu", queue: server.url });
  const referenceOf = (name: string) => {
    const snapshot = snapshotSuite(join(sharedStore, name));
    return JSON.parse(JSON.stringify(reference).replaceAll("/local/", `/${name}/`)) as typeof snapshot;
  };

  /** The worker killed in the first test; started early, its start-up overlaps the reference run. */
  let doomed: WorkerProcess;

  beforeAll(async () => {
    await server.start();
    doomed = new WorkerProcess(server.url, sharedStore);
    // the same suite run locally, in this process
    await runSuite(suiteNamed("local"), {
      outDirectory: join(scratch, "reference"),
      workers: 1,
      backend: "cpu",
    });
    reference = snapshotSuite(join(scratch, "reference", "local"));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([doomed, ...workers].map((worker) => worker.stop()));
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("a worker killed (-9) mid-job: another worker completes the seed from its checkpoint, identical results", async () => {
    const run = queueRun("killed-worker");
    await waitFor(() => doomed.output.includes("job killed-worker-seed-0-"), "the doomed worker's first job");
    // the survivors (one shares the coordinator's store, one sends its files back) start meanwhile
    workers.push(new WorkerProcess(server.url, sharedStore), new WorkerProcess(server.url, privateStore));
    await waitFor(
      () => existsSync(seedFile("killed-worker", "tabular-q", 0, "checkpoints/checkpoint.bin")),
      "a checkpoint",
    );
    await doomed.stop("SIGKILL");
    expect(existsSync(seedFile("killed-worker", "tabular-q", 0, "summary.json"))).toBe(false);
    const { results } = await run;
    expect(results[0].outcome).toMatch(/^(resumed|ran)$/);
    expect(snapshotSuite(join(sharedStore, "killed-worker"))).toEqual(referenceOf("killed-worker"));
  }, 60_000);

  it("2 worker processes (shared store and files sent back) give the local run's results", async () => {
    const { results } = await queueRun("two-workers");
    expect(results.map((r) => r.outcome)).toEqual(["ran", "ran", "ran", "ran"]);
    expect(snapshotSuite(join(sharedStore, "two-workers"))).toEqual(referenceOf("two-workers"));
    expect(workers[1].output).toMatch(/job two-workers-seed-/);
    const again = await queueRun("two-workers");
    expect(again.results.map((r) => r.outcome)).toEqual(["skipped", "skipped", "skipped", "skipped"]);
  }, 60_000);

  it("the coordinator killed (-9): running it again re-attaches and re-runs no finished seed", async () => {
    const suiteFile = join(scratch, "coordinator.json");
    writeFileSync(
      suiteFile,
      JSON.stringify({ name: "coordinator", description: "t", figure: "none", experiments }),
    );
    const coordinator = spawn(
      process.execPath,
      [
        "--conditions=@netmarl/source",
        "--import",
        "tsx",
        join(repoRoot, "apps/bench/src/cli.ts"),
        "run",
        suiteFile,
        "--queue",
        server.url,
        "--out",
        sharedStore,
        "--backend",
        "cpu",
      ],
      { cwd: repoRoot, stdio: "ignore" },
    );
    const first = seedFile("coordinator", "tabular-q", 0, "summary.json");
    await waitFor(() => existsSync(first), "the first seed", 40_000);
    coordinator.kill("SIGKILL");
    const finishedAt = readFileSync(first, "utf8");
    const { results } = await queueRun("coordinator");
    expect(results[0].outcome).toBe("skipped");
    expect(readFileSync(first, "utf8")).toBe(finishedAt);
    expect(snapshotSuite(join(sharedStore, "coordinator"))).toEqual(referenceOf("coordinator"));
    // both coordinators submitted the unfinished seeds: one job per seed all the same
    const connection = connectQueue(server.url);
    const queue = new Queue(SEED_QUEUE, { connection });
    const ids = (await queue.getJobs(["completed", "active", "waiting", "failed"]))
      .map((job) => job.id!)
      .filter((id) => id.startsWith("coordinator-"));
    await queue.close();
    connection.disconnect();
    expect(ids.length).toBe(4);
  }, 60_000);

  it("Redis killed (-9) and restarted mid-suite: the suite completes, nothing lost", async () => {
    const run = queueRun("redis-restart");
    // a tabular-q seed is training (on whichever worker, so in either store)
    const checkpoints = [sharedStore, privateStore].flatMap((store) =>
      [0, 1].map((seed) =>
        join(
          store,
          "redis-restart",
          "coordination-game-v1",
          "tabular-q",
          `seed-${seed}`,
          "checkpoints",
          "checkpoint.bin",
        ),
      ),
    );
    await waitFor(() => checkpoints.some((file) => existsSync(file)), "a checkpoint");
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.start();
    await run;
    expect(snapshotSuite(join(sharedStore, "redis-restart"))).toEqual(referenceOf("redis-restart"));
  }, 60_000);

  it("malformed and foreign messages are rejected with a logged reason and no side effect", async () => {
    const connection = connectQueue(server.url);
    const queue = new Queue(SEED_QUEUE, { connection });
    const valid = {
      format: SEED_MESSAGE_FORMAT,
      suite: "foreign",
      experiment: suiteNamed("foreign").experiments[1],
      seed: 0,
      storeToken: "0".repeat(32),
    };
    const bad = [
      { name: "seed", data: { hello: "world" }, reason: /rejected: not a seed job: format/ },
      {
        name: "seed",
        data: { ...valid, suite: "../../etc" },
        reason: /rejected: not a seed job: suite: expected lower-case/,
      },
      {
        name: "seed",
        data: { ...valid, experiment: { ...valid.experiment, algorithm: { id: "rm -rf /" } } },
        reason: /rejected: .*Unknown algorithm "rm -rf \/"/,
      },
      { name: "shell", data: valid, reason: /rejected: unknown job name "shell"/ },
    ];
    try {
      const jobs = await Promise.all(
        bad.map(({ name, data }, i) => queue.add(name, data, { jobId: `bad-${i}` })),
      );
      for (const [i, job] of jobs.entries()) {
        const started = Date.now();
        while ((await job.getState()) !== "failed") {
          if (Date.now() - started > 15_000) throw new Error(`bad-${i} was not rejected`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const failed = await Job.fromId(queue, job.id!);
        expect(failed?.failedReason).toMatch(bad[i].reason);
        expect(failed?.attemptsMade).toBeLessThanOrEqual(1);
      }
      expect(workers.map((w) => w.output).join("")).toMatch(/rejected job bad-0: not a seed job/);
      for (const store of [sharedStore, privateStore]) expect(existsSync(join(store, "foreign"))).toBe(false);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }, 30_000);

  it("DIALS: the queue executor spreads agent groups over the workers, same numbers as inline", async () => {
    if (workers.length === 0) workers.push(new WorkerProcess(server.url, sharedStore));
    await initBackend("cpu", { log: false });
    const environment = { id: "dials/traffic", options: { rows: 2, columns: 2, maxSteps: 60 } };
    const config: DialsConfigInput = {
      totalSteps: 64,
      evalEvery: 64,
      influenceTrainEvery: 64,
      datasetSteps: 300,
      evalSteps: 60,
      influence: { epochs: 1 },
      ppo: { hiddenSizes: [16, 16], memorySize: 32 },
    };
    const numbers = (summary: Awaited<ReturnType<typeof runDials>>) =>
      summary.iterations.map((r) => [
        r.step,
        r.evaluationReturn,
        r.influence,
        r.trainingReturn,
        r.agentSteps,
      ]);
    const inline = await runDials({ environment, config, seed: 3, executor: new InlineExecutor() });
    const queued = await runDials({
      environment,
      config,
      seed: 3,
      executor: new QueueExecutor({ url: server.url, groups: 2, backend: "cpu" }),
    });
    expect(queued.executor).toBe("queue");
    expect(numbers(queued)).toEqual(numbers(inline));
  }, 60_000);
});
