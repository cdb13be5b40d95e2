import type { RunProgress } from "@netmarl/trainers";
import cliProgress from "cli-progress";
import type { SeedJob, SeedJobResult } from "../execution/run-seed-job.js";
import { formatReturn } from "./format-return.js";

/** Receives suite events and shows them: live bars on a terminal, plain lines otherwise. */
export interface SuiteProgress {
  jobProgress(job: SeedJob, progress: RunProgress): void;
  jobDone(result: SeedJobResult): void;
  stop(): void;
}

/** `mpe/cooperative-navigation dqn seed 0`, `aloha fixed-policy~always-zero seed 1`. */
const label = ({ experiment, seed }: Pick<SeedJob, "experiment" | "seed">) =>
  `${experiment.env.id} ${experiment.algorithm.id}${experiment.name ? `~${experiment.name}` : ""} seed ${seed}`;

/** One bar per running seed (steps, last episode return, steps/s, ETA) when `stream` is a TTY. */
export function createSuiteProgress(
  totalJobs: number,
  stream: NodeJS.WriteStream = process.stderr,
): SuiteProgress {
  let finished = 0;
  if (!stream.isTTY) {
    const lastLine = new Map<string, number>();
    return {
      jobProgress(job, progress) {
        const key = label(job);
        const now = Date.now();
        if (now - (lastLine.get(key) ?? 0) < 5_000) return; // at most one line per seed every 5 s
        lastLine.set(key, now);
        stream.write(
          `[${key}] ${progress.envSteps}/${progress.totalEnvSteps} steps, return ${formatReturn(progress.lastEpisodeReturn)}, ${Math.round(progress.envStepsPerSecond)} steps/s\n`,
        );
      },
      jobDone(result) {
        finished++;
        stream.write(
          `[${label(result)}] ${result.outcome} (${finished}/${totalJobs}): mean return ${formatReturn(result.summary.meanEpisodeReturn)}, last evaluation ${formatReturn(result.summary.lastEvaluationReturn)}\n`,
        );
      },
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      stream,
      hideCursor: true,
      clearOnComplete: false,
      format:
        "{label} [{bar}] {value}/{total} | return {episodeReturn} | {rate} steps/s | ETA {eta_formatted}",
    },
    cliProgress.Presets.shades_grey,
  );
  const overall = bars.create(totalJobs, 0, { label: "suite".padEnd(40), episodeReturn: "-", rate: "-" });
  const perJob = new Map<string, cliProgress.SingleBar>();
  return {
    jobProgress(job, progress) {
      const key = label(job);
      let bar = perJob.get(key);
      if (!bar) {
        bar = bars.create(progress.totalEnvSteps, 0, {
          label: key.slice(0, 40).padEnd(40),
          episodeReturn: "-",
          rate: "-",
        });
        perJob.set(key, bar);
      }
      bar.update(progress.envSteps, {
        episodeReturn: formatReturn(progress.lastEpisodeReturn),
        rate: Math.round(progress.envStepsPerSecond),
      });
    },
    jobDone(result) {
      const bar = perJob.get(label(result));
      if (bar) {
        bar.stop();
        bars.remove(bar);
        perJob.delete(label(result));
      }
      overall.increment(1, { episodeReturn: formatReturn(result.summary.meanEpisodeReturn) });
    },
    stop() {
      bars.stop();
    },
  };
}
