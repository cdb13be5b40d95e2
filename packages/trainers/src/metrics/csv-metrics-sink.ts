import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "@netmarl/envs";
import type { MetricRecord, MetricsSink } from "./metrics-sink.js";

const HEADER = "kind,envSteps,metric,value\n";

/**
 * Appends records as CSV in long form — one row `kind,envSteps,metric,value` per named value —
 * because episode, update and evaluation records carry different metrics: a fixed header still
 * fits every record, and spreadsheets and pandas pivot it back (`pivot_table(index=envSteps,
 * columns=metric)`). Each record is one `write`, so a crash can cut at most the last line;
 * {@link readMetricsCsv} skips such a torn tail.
 */
export class CsvMetricsSink implements MetricsSink {
  private descriptor: number | null;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    const fresh = !existsSync(path) || readFileSync(path, "utf8").length === 0;
    this.descriptor = openSync(path, "a");
    if (fresh) writeSync(this.descriptor, HEADER);
  }

  write(record: MetricRecord): void {
    if (this.descriptor === null) throw new Error(`CsvMetricsSink(${this.path}): write after close`);
    writeSync(this.descriptor, csvRows(record));
  }

  /** Drops every row after `envSteps` (and a torn last line), atomically: used when a run resumes. */
  truncateAfter(envSteps: number): void {
    const text = existsSync(this.path) ? readFileSync(this.path, "utf8") : HEADER;
    const kept = completeLines(text)
      .slice(1)
      .filter((line) => Number(line.split(",", 3)[1]) <= envSteps);
    if (this.descriptor !== null) closeSync(this.descriptor);
    writeFileAtomic(this.path, HEADER + kept.map((line) => `${line}\n`).join(""));
    this.descriptor = openSync(this.path, "a");
  }

  close(): void {
    if (this.descriptor !== null) closeSync(this.descriptor);
    this.descriptor = null;
  }
}

/** One CSV row per named value of `record`. */
function csvRows(record: MetricRecord): string {
  let rows = "";
  for (const [metric, value] of Object.entries(record)) {
    if (metric === "kind" || metric === "envSteps") continue;
    rows += `${record.kind},${record.envSteps},${csvField(metric)},${csvField(String(value))}\n`;
  }
  return rows;
}

/** RFC 4180 quoting for fields holding a comma, a quote or a line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Lines that ended with a newline (a torn last line from an interrupted write is dropped). */
function completeLines(text: string): string[] {
  return text.split("\n").slice(0, -1);
}

/** One parsed row of a metrics CSV. */
export interface MetricsCsvRow {
  kind: MetricRecord["kind"];
  envSteps: number;
  metric: string;
  /** A number where the cell is one, the text otherwise. */
  value: number | string;
}

/** Parses what {@link CsvMetricsSink} wrote, ignoring a torn last line. */
export function readMetricsCsv(text: string): MetricsCsvRow[] {
  const lines = completeLines(text);
  if (lines[0] !== HEADER.trimEnd())
    throw new Error(`metrics CSV: expected the header "${HEADER.trimEnd()}"`);
  return lines.slice(1).map((line) => {
    const [kind, envSteps, metric, value] = parseCsvLine(line);
    const number = Number(value);
    return {
      kind: kind as MetricRecord["kind"],
      envSteps: Number(envSteps),
      metric,
      value: value !== "" && Number.isFinite(number) ? number : value,
    };
  });
}

function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      fields.push(field);
      field = "";
    } else field += char;
  }
  fields.push(field);
  return fields;
}
