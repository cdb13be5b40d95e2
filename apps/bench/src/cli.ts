#!/usr/bin/env node
import { createRng } from "@netmarl/envs";
import { Command, InvalidArgumentError } from "commander";
import { collectMachineInfo } from "./commands/machine-info.js";
import { measureEnvSpeed } from "./commands/measure-env-speed.js";
import { createProgressDisplay } from "./progress/progress-display.js";
import { ALGORITHMS } from "./registry/algorithms.js";
import { ENVIRONMENTS, findEnvironment } from "./registry/environments.js";

function positiveInteger(name: string) {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1)
      throw new InvalidArgumentError(`${name} must be an integer >= 1`);
    return parsed;
  };
}

function print(value: unknown, asJson: boolean, human: () => string): void {
  process.stdout.write(asJson ? `${JSON.stringify(value)}\n` : `${human()}\n`);
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
  .description("The registered environments and algorithms")
  .option("--json", "print JSON")
  .action((options: { json?: boolean }) => {
    const listing = {
      environments: ENVIRONMENTS.map(({ id, description }) => ({ id, description })),
      algorithms: ALGORITHMS.map(({ id, description }) => ({ id, description })),
    };
    print(listing, options.json === true, () =>
      [
        "environments:",
        ...listing.environments.map((e) => `  ${e.id.padEnd(28)} ${e.description}`),
        "algorithms:",
        ...listing.algorithms.map((a) => `  ${a.id.padEnd(28)} ${a.description}`),
      ].join("\n"),
    );
  });

program
  .command("env-speed")
  .description("Environment steps per second with random actions (resets included)")
  .argument("<env-id>", "a registered environment (see `list`)")
  .option("--agents <n>", "number of agents", positiveInteger("--agents"))
  .option("--steps <n>", "environment steps to time", positiveInteger("--steps"), 100_000)
  .option("--seed <n>", "seed for the environment and the actions", positiveInteger("--seed"), 1)
  .option("--json", "print JSON")
  .action((envId: string, options: { agents?: number; steps: number; seed: number; json?: boolean }) => {
    const env = findEnvironment(envId).create({}, { agents: options.agents }, createRng(options.seed));
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
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`netmarl-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
