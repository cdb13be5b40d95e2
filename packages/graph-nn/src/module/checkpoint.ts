import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import type { Module, NamedWeight } from "./module.js";

/** The manifest format written next to the binary weights. */
export const CHECKPOINT_FORMAT = "netmarl-weights";
export const CHECKPOINT_VERSION = 1;

/** The JSON manifest `<path>.json`; the weights are `<path>.bin` (float32, little-endian). */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** Name of the binary file, relative to the manifest. */
  weightsFile: string;
  byteLength: number;
  /** sha256 of the binary file: ties a manifest to exactly one weights file. */
  sha256: string;
  weights: { name: string; shape: number[]; dtype: "float32"; byteOffset: number }[];
  /** Free-form metadata from the caller (step count, config …). */
  metadata?: Record<string, unknown>;
}

/** Thrown when a checkpoint cannot be loaded; the message says why. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** Test hooks (internal). */
export interface CheckpointWriteHooks {
  /** Called after the temporary files are written, before they replace the old ones. */
  beforeCommit?: () => void | Promise<void>;
}

/**
 * Saves `module`'s weights to `<path>.json` + `<path>.bin`. Both files are written to temporary
 * names first and then renamed over the old ones, so an old checkpoint is never half-overwritten;
 * the manifest carries the binary's sha256, so even a crash between the two renames is detected
 * at load time instead of loading mismatched weights.
 */
export async function saveCheckpoint(
  module: Module,
  path: string,
  metadata?: Record<string, unknown>,
  hooks: CheckpointWriteHooks = {},
): Promise<CheckpointManifest> {
  const weights = module.getWeights();
  const byteLength = weights.reduce((total, w) => total + w.values.byteLength, 0);
  const bytes = new Uint8Array(byteLength);
  const entries: CheckpointManifest["weights"] = [];
  let offset = 0;
  for (const weight of weights) {
    const view = new DataView(bytes.buffer, offset, weight.values.byteLength);
    for (let i = 0; i < weight.values.length; i++) view.setFloat32(i * 4, weight.values[i], true);
    entries.push({ name: weight.name, shape: weight.shape, dtype: "float32", byteOffset: offset });
    offset += weight.values.byteLength;
  }
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    weightsFile: `${basename(path)}.bin`,
    byteLength,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    weights: entries,
    ...(metadata === undefined ? {} : { metadata }),
  };
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const binTemp = `${path}.bin.tmp-${tag}`;
  const jsonTemp = `${path}.json.tmp-${tag}`;
  try {
    if (dirname(path) !== "") await mkdir(dirname(path), { recursive: true });
    await writeFile(binTemp, bytes);
    await writeFile(jsonTemp, `${JSON.stringify(manifest, null, 2)}\n`);
    await hooks.beforeCommit?.();
    await rename(binTemp, `${path}.bin`);
    await rename(jsonTemp, `${path}.json`);
  } finally {
    await rm(binTemp, { force: true });
    await rm(jsonTemp, { force: true });
  }
  return manifest;
}

/** Reads and verifies `<path>.json` + `<path>.bin` without touching any module. */
export async function readCheckpoint(
  path: string,
): Promise<{ manifest: CheckpointManifest; weights: NamedWeight[] }> {
  const manifest = parseManifest(await readText(`${path}.json`), `${path}.json`);
  const binPath = `${dirname(path)}${manifest.weightsFile}`;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(binPath);
  } catch (error) {
    throw new CheckpointError(`checkpoint ${path}: cannot read weights file ${binPath} (${String(error)})`);
  }
  if (bytes.byteLength !== manifest.byteLength) {
    throw new CheckpointError(
      `checkpoint ${path}: weights file ${binPath} is ${bytes.byteLength < manifest.byteLength ? "truncated" : "too long"}: ${bytes.byteLength} bytes, the manifest says ${manifest.byteLength}`,
    );
  }
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== manifest.sha256) {
    throw new CheckpointError(
      `checkpoint ${path}: weights file ${binPath} does not match its manifest (sha256 ${digest.slice(0, 12)}…, expected ${manifest.sha256.slice(0, 12)}…): corrupted or from another save`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const weights = manifest.weights.map((entry) => {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.byteOffset + size * 4 > bytes.byteLength) {
      throw new CheckpointError(`checkpoint ${path}: weight "${entry.name}" runs past the end of ${binPath}`);
    }
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = view.getFloat32(entry.byteOffset + i * 4, true);
    return { name: entry.name, shape: [...entry.shape], values };
  });
  return { manifest, weights };
}

/**
 * Loads a checkpoint into `module`. Refused with a {@link CheckpointError} — and the module left
 * unchanged — when a file is missing, truncated or corrupted, or when a weight's name or shape does
 * not match the module.
 */
export async function loadCheckpoint(module: Module, path: string): Promise<CheckpointManifest> {
  const { manifest, weights } = await readCheckpoint(path);
  try {
    module.setWeights(weights);
  } catch (error) {
    throw new CheckpointError(
      `checkpoint ${path} does not fit ${module.constructor.name}: ${(error as Error).message}`,
    );
  }
  return manifest;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new CheckpointError(`checkpoint manifest ${file} cannot be read (${String(error)})`);
  }
}

function parseManifest(text: string, file: string): CheckpointManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(
      `checkpoint manifest ${file} is not valid JSON (truncated?): ${(error as Error).message}`,
    );
  }
  const manifest = data as Partial<CheckpointManifest>;
  if (manifest?.format !== CHECKPOINT_FORMAT || manifest.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `checkpoint manifest ${file}: format ${String(manifest?.format)} v${String(manifest?.version)}; expected ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION}`,
    );
  }
  if (
    typeof manifest.weightsFile !== "string" ||
    manifest.weightsFile.includes("/") ||
    typeof manifest.byteLength !== "number" ||
    typeof manifest.sha256 !== "string" ||
    !Array.isArray(manifest.weights)
  ) {
    throw new CheckpointError(`checkpoint manifest ${file}: missing or malformed fields`);
  }
  for (const entry of manifest.weights) {
    if (
      typeof entry?.name !== "string" ||
      !Array.isArray(entry.shape) ||
      !entry.shape.every((d) => Number.isInteger(d) && d >= 0) ||
      entry.dtype !== "float32" ||
      !Number.isInteger(entry.byteOffset)
    ) {
      throw new CheckpointError(
        `checkpoint manifest ${file}: malformed weight entry ${JSON.stringify(entry)}`,
      );
    }
  }
  return manifest as CheckpointManifest;
}

function basename(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? path : path.slice(slash + 1);
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash + 1);
}
