/**
 * What crosses the seed queue. A job's data names a suite, one experiment and one seed — nothing
 * else: the worker re-validates it with the suite-file schema and the registries before touching
 * its disk, and writes only under its own store folder. Results come back either as "written to the
 * shared store" or as the seed's files, gzipped.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { validateExperiments } from "../execution/run-suite.js";
import { canonical, type SeedSummaryFile } from "../results/result-store.js";
import { type Experiment, experimentSchema, parseSuite } from "../suites/experiment-schema.js";

export const SEED_MESSAGE_FORMAT = "netmarl-seed-job-1";

const seedMessageSchema = z
  .object({
    format: z.literal(SEED_MESSAGE_FORMAT),
    suite: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "expected lower-case letters, digits and dashes"),
    experiment: experimentSchema,
    seed: z.number().int().min(0),
    /** Token of the coordinator's suite folder: a worker that sees it in its own store shares it. */
    storeToken: z.string().regex(/^[0-9a-f]{32}$/, "expected 32 hex digits"),
    backend: z.enum(["tensorflow", "wasm", "cpu"]).optional(),
  })
  .strict();

export type SeedMessage = z.output<typeof seedMessageSchema>;

/** Files of a finished seed, sent back when the worker does not share the coordinator's store. */
export interface SeedReturnFiles {
  /** gzip + base64 of config.json, metrics.jsonl and summary.json. */
  config: string;
  metrics: string;
  summary: string;
}

/** A seed job's return value. */
export interface SeedJobReturn {
  outcome: "ran" | "resumed" | "skipped";
  summary: SeedSummaryFile;
  /** Absent when the worker wrote into the shared store. */
  files?: SeedReturnFiles;
}

/**
 * Checks a queue message: the schema, then the registered algorithm, its config and the env
 * options (as a suite file is checked). Errors are one line, naming the field.
 */
export function parseSeedMessage(data: unknown): SeedMessage {
  const parsed = seedMessageSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(`not a seed job: ${issue.path.join(".") || "(message)"}: ${issue.message}`);
  }
  const message = parsed.data;
  validateExperiments(
    parseSuite({
      name: message.suite,
      description: "queue job",
      figure: "none",
      experiments: [message.experiment],
    }),
  );
  return message;
}

/**
 * Deterministic job id: the same (suite, experiment, seed) always maps to the same job, so
 * duplicate submissions collapse into one. BullMQ ids may not contain ":".
 */
export function seedJobId(suite: string, experiment: Experiment, seed: number): string {
  const hash = createHash("sha256").update(canonical({ suite, experiment, seed })).digest("hex");
  return `${suite}-seed-${seed}-${hash.slice(0, 24)}`;
}

export function packFile(content: string): string {
  return gzipSync(content).toString("base64");
}

export function unpackFile(packed: string): string {
  return gunzipSync(Buffer.from(packed, "base64")).toString("utf8");
}
