import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let counter = 0;

/**
 * Writes `data` to `path` so that a crash at any moment leaves either the old file or the new one,
 * never a mix: write a temporary file beside it, flush it to disk, rename it over the target.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  let descriptor: number | null = null;
  try {
    descriptor = openSync(temporary, "w");
    writeSync(descriptor, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(descriptor);
    closeSync(descriptor);
    descriptor = null;
    renameSync(temporary, path);
  } catch (error) {
    if (descriptor !== null) closeSync(descriptor);
    rmSync(temporary, { force: true });
    throw error;
  }
}
