import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "@netmarl/envs";

/** One line of the metric stream: what happened (`kind`), when (`envSteps`) and named values. */
export interface MetricRecord {
  kind: "episode" | "update" | "evaluation" | "summary";
  envSteps: number;
  [name: string]: number | string;
}

/** Where a run's metrics go. */
export interface MetricsSink {
  write(record: MetricRecord): void;
  close(): void;
}

/**
 * Appends one JSON object per line. Each record is one `write` call, so a crash can cut at most
 * the last line; {@link readJsonl} skips such a torn tail.
 */
export class JsonlMetricsSink implements MetricsSink {
  private descriptor: number | null;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.descriptor = openSync(path, "a");
  }

  write(record: MetricRecord): void {
    if (this.descriptor === null) throw new Error(`JsonlMetricsSink(${this.path}): write after close`);
    writeSync(this.descriptor, `${JSON.stringify(record)}\n`);
  }

  /** Drops every record after `envSteps` (and a torn last line), atomically: used when a run resumes. */
  truncateAfter(envSteps: number): void {
    const kept = existsSync(this.path)
      ? readJsonl(readFileSync(this.path, "utf8")).filter((r) => r.envSteps <= envSteps)
      : [];
    if (this.descriptor !== null) closeSync(this.descriptor);
    writeFileAtomic(this.path, kept.map((record) => `${JSON.stringify(record)}\n`).join(""));
    this.descriptor = openSync(this.path, "a");
  }

  close(): void {
    if (this.descriptor !== null) closeSync(this.descriptor);
    this.descriptor = null;
  }
}

/** Keeps records in memory (tests, notebooks). */
export class MemoryMetricsSink implements MetricsSink {
  readonly records: MetricRecord[] = [];

  write(record: MetricRecord): void {
    this.records.push({ ...record });
  }

  close(): void {}
}

/** Parses JSONL text, ignoring a torn last line (no trailing newline) from an interrupted write. */
export function readJsonl(text: string): MetricRecord[] {
  // The last piece is "" after a final newline, or a torn record without one: drop it either way.
  const complete = text.split("\n").slice(0, -1);
  return complete.filter((line) => line.length > 0).map((line) => JSON.parse(line) as MetricRecord);
}
