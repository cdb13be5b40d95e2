import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let counter = 0;

/**
 * Writes `data` to `path` so that a crash at any moment leaves either the old file or the new one,
 * never a mix: write a temporary file beside it, flush it to disk, rename it over the target.
 * `data` may come in chunks, so a large state need not be copied into one buffer first.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  let descriptor: number | null = null;
  try {
    descriptor = openSync(temporary, "w");
    const chunks =
      typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data;
    for (const chunk of chunks) writeFully(descriptor, chunk);
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

/** `writeSync` may write less than asked (and at most 2 GiB at once): loop until all is written. */
export function writeFully(descriptor: number, chunk: Uint8Array): void {
  const piece = 1 << 30;
  for (let done = 0; done < chunk.byteLength; ) {
    done += writeSync(descriptor, chunk, done, Math.min(piece, chunk.byteLength - done));
  }
}
