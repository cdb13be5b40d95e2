import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./workspace.js";

// The published shape, not the sources: pack the library packages as pnpm would publish them,
// install the tarballs with npm into a folder outside the repo (with only what a user adds:
// tfjs-core and tfjs as peers, typescript tooling for the strict check), then use them from plain
// Node, run every TypeScript example of their READMEs, and type-check with a strict tsc.
const LIBRARIES = [
  "envs",
  "graph-nn",
  "trainers",
  "policies-bn-dag",
  "policies-ip",
  "policies-ltos",
  "influence-sim",
] as const;
const scratch = mkdtempSync(join(tmpdir(), "netmarl-pack-"));
const project = join(scratch, "consumer");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const TSX = join(REPO_ROOT, "node_modules", "tsx", "dist", "esm", "index.mjs");
const TSC = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
const TFJS_VERSION = "4.22.0";

/** The `ts` fenced code blocks of a Markdown file, in order. */
function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((match) => match[1]);
}

/** The running pnpm: inside `pnpm test`, npm_execpath (a native binary in pnpm 12, JS before). */
function pnpmCommand(): string[] {
  const execPath = process.env.npm_execpath ?? "";
  if (!execPath.includes("pnpm")) return ["pnpm"];
  return /\.[cm]?js$/.test(execPath) ? [process.execPath, execPath] : [execPath];
}

const exampleFiles: { file: string; readme: string }[] = [];

beforeAll(() => {
  for (const name of LIBRARIES) {
    const directory = join(REPO_ROOT, "packages", name);
    expect(existsSync(join(directory, "dist", "index.js")), `run \`pnpm build\` before this test`).toBe(true);
    const pnpm = pnpmCommand();
    execFileSync(pnpm[0], [...pnpm.slice(1), "pack", "--pack-destination", scratch], {
      cwd: directory,
      stdio: "pipe",
    });
  }
  const tarballs = readdirSync(scratch).filter((file) => file.endsWith(".tgz"));
  expect(tarballs).toHaveLength(LIBRARIES.length);
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  execFileSync(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...tarballs.map((tarball) => join(scratch, tarball)),
      `@tensorflow/tfjs-core@${TFJS_VERSION}`,
      `@tensorflow/tfjs@${TFJS_VERSION}`,
      "@types/node@20",
    ],
    { cwd: project, stdio: "pipe" },
  );
  // Every README example becomes a module of its own (`export {}`: top-level await, no shared names).
  for (const name of LIBRARIES) {
    typescriptBlocks(readFileSync(join(REPO_ROOT, "packages", name, "README.md"), "utf8")).forEach(
      (block, i) => {
        const file = `readme-${name}-${i}.ts`;
        writeFileSync(join(project, file), `${block}\nexport {};\n`);
        exampleFiles.push({ file, readme: `packages/${name}/README.md block ${i + 1}` });
      },
    );
  }
}, 600_000);

describe("the packed library packages, installed with npm into a fresh folder", () => {
  it("@netmarl/envs works from a plain Node ESM script", () => {
    writeFileSync(
      join(project, "smoke.mjs"),
      [
        'import { createRng, CoordinationGame } from "@netmarl/envs";',
        'import { checkEnv } from "@netmarl/envs/testing";',
        "const game = new CoordinationGame({ numAgents: 3 }, createRng(1));",
        "checkEnv(game);",
        "game.reset(0);",
        "const step = game.step(Int32Array.of(0, 0, 0));",
        "let refused = false;",
        "try { game.step(Int32Array.of(0, 5, 0)); } catch (error) { refused = /actions\\[1\\]/.test(error.message); }",
        "console.log(JSON.stringify({ uint: createRng(42).nextUint32(), rewards: step.rewards.length, refused }));",
      ].join("\n"),
    );
    const output = execFileSync("node", ["smoke.mjs"], { cwd: project, encoding: "utf8" });
    expect(JSON.parse(output)).toEqual({ uint: 2866066740, rewards: 3, refused: true });
  });

  it("@netmarl/graph-nn brings the wasm backend: initBackend() picks it with no extra install", () => {
    const script = [
      'import { initBackend } from "@netmarl/graph-nn";',
      "console.log(await initBackend(undefined, { log: false, env: {} }));",
    ].join("\n");
    writeFileSync(join(project, "backend.mjs"), script);
    // tensorflow when the native package happens to be installed, else wasm — never cpu.
    const backend = execFileSync("node", ["backend.mjs"], { cwd: project, encoding: "utf8" }).trim();
    const native = existsSync(join(project, "node_modules", "@tensorflow", "tfjs-node"));
    expect(backend).toBe(native ? "tensorflow" : "wasm");
    // Without initBackend, a layer says what to do instead of tfjs' "No backend found in registry".
    writeFileSync(
      join(project, "no-backend.mjs"),
      [
        'import { createRng } from "@netmarl/envs";',
        'import { Dense } from "@netmarl/graph-nn";',
        "try { new Dense({ inputSize: 2, outputSize: 2 }, createRng(0)); } catch (error) { console.log(error.message); }",
      ].join("\n"),
    );
    const message = execFileSync("node", ["no-backend.mjs"], { cwd: project, encoding: "utf8" });
    expect(message).toMatch(
      /no TensorFlow\.js backend is ready .*call `await initBackend\(\)` from @netmarl\/graph-nn first/,
    );
  });

  const EXAMPLE_TIMEOUT_MS = 120_000;

  it("runs every TypeScript example of the library packages' READMEs", () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(10);
    for (const { file, readme } of exampleFiles) {
      try {
        // A synchronous child cannot be interrupted by the test's own timeout: give it one, so a
        // hung example fails naming its README instead of stalling the whole run (seen once: a
        // 1.4 s example sleeping for 14 minutes in a clean-clone CI run).
        execFileSync("node", ["--import", TSX, file], {
          cwd: project,
          encoding: "utf8",
          stdio: "pipe",
          timeout: EXAMPLE_TIMEOUT_MS,
        });
      } catch (error) {
        const { stderr, signal } = error as { stderr?: string; signal?: string };
        const reason = signal === "SIGTERM" ? `timed out after ${EXAMPLE_TIMEOUT_MS / 1000} s` : "failed";
        expect.fail(`${readme} ${reason}:\n${String(stderr).slice(-1500)}`);
      }
    }
  }, 300_000);

  it("type-checks the README examples and a file using every package's public API with a strict tsc", () => {
    writeFileSync(
      join(project, "public-api.ts"),
      `import { AgentGraph, CoordinationGame, createRng, RecordEpisodeStatistics, type EnvSpec } from "@netmarl/envs";
import { checkEnv } from "@netmarl/envs/testing";
import { BackendUnavailableError, Dense, GraphBatch, initBackend, MeanFieldLayer, saveCheckpoint } from "@netmarl/graph-nn";
import { dqnAlgorithm, JsonlMetricsSink, Runner, type Learner, type RunSummary } from "@netmarl/trainers";

const env = new RecordEpisodeStatistics(new CoordinationGame({ numAgents: 3 }, createRng(0)));
checkEnv(env);
env.reset(0);
const step = env.step(Int32Array.of(0, 0, 0));
const meanReturn: number | undefined = step.infos.episode?.meanReturn;
const graph: AgentGraph = env.graph();
const drawn = graph.toGraphology();
const order: number = drawn.order;
const spec: EnvSpec = env.spec;
await initBackend();
const layer = new Dense({ inputSize: 3, outputSize: 2 }, createRng(1));
const meanField = new MeanFieldLayer({ stateSize: 2, hiddenSize: 2 }, createRng(2));
const batch = GraphBatch.repeat(graph, 2);
await saveCheckpoint(layer, "runs/api/dense");
const learner: Learner = dqnAlgorithm.create(spec, { learningRate: 1e-3, hiddenSizes: [8] }, createRng(3));
learner.dispose();
const summary: RunSummary = new Runner({
  createEnv: (rng) => new CoordinationGame({ numAgents: 3 }, rng),
  createLearner: (envSpec, rng) => dqnAlgorithm.create(envSpec, { learningStarts: 10 }, rng),
  config: { totalEnvSteps: 50, seed: 0 },
  sinks: [new JsonlMetricsSink("runs/api/metrics.jsonl")],
}).run();
console.log(meanReturn, order, summary.envSteps, BackendUnavailableError.name);
for (const disposable of [layer, meanField, batch]) disposable.dispose();
export {};
`,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          noEmit: true,
        },
        include: ["public-api.ts", ...exampleFiles.map((e) => e.file)],
      }),
    );
    try {
      execFileSync("node", [TSC, "-p", "tsconfig.json"], { cwd: project, encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      const { stdout } = error as { stdout?: string };
      expect.fail(`strict tsc failed:\n${String(stdout).slice(0, 4000)}`);
    }
    execFileSync("node", ["--import", TSX, "public-api.ts"], { cwd: project, stdio: "pipe" });
  }, 300_000);
});
