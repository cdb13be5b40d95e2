/** Test helper: a suite folder's results without wall-clock fields, for "identical results" checks. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonl } from "@netmarl/trainers";

/** Every seed's metrics and summary, keyed by path inside the suite folder. */
export function snapshotSuite(suiteDirectory: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "checkpoints" && entry.name !== "report") walk(path);
      else if (entry.name === "metrics.jsonl") {
        out[path.slice(suiteDirectory.length)] = readJsonl(readFileSync(path, "utf8")).map(
          ({ "time/env-steps-per-second": _, ...rest }) => rest,
        );
      } else if (entry.name === "summary.json") {
        const {
          seconds: _s,
          envStepsPerSecond: _r,
          finishedAt: _f,
          ...rest
        } = JSON.parse(readFileSync(path, "utf8"));
        out[path.slice(suiteDirectory.length)] = rest;
      }
    }
  };
  walk(suiteDirectory);
  return out;
}
