import cliProgress from "cli-progress";

/** A progress bar on an interactive terminal (stderr), nothing otherwise: stdout stays parseable. */
export interface ProgressDisplay {
  update(done: number): void;
  stop(): void;
}

export function createProgressDisplay(
  label: string,
  total: number,
  stream = process.stderr,
): ProgressDisplay {
  if (!stream.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} steps | ETA {eta_formatted}`,
      stream,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
