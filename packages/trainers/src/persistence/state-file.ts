import { closeSync, openSync, readSync } from "node:fs";
import { writeFileAtomic } from "@netmarl/envs";

/**
 * A file format for states that hold large typed arrays (replay buffers of millions of transitions).
 * JSON cannot carry them: V8 caps a string at 2^29 − 24 characters (≈ 512 MB, less after base64's
 * 4/3), and `readFileSync` stops at 2 GiB. So the structure stays JSON and the arrays follow as raw
 * bytes, written and read in pieces straight from and into the arrays:
 *
 *   "NMSTATE1" | header byte length (u32 LE) | header JSON | zeros to a multiple of 8 | arrays
 *
 * Each array appears in the header as `{ "$array": "float32" | "int32" | "uint8" | "uint16", offset, length }`
 * (offset in bytes from the start of the array section, 8-aligned). Bytes are in the platform's
 * order, little-endian on every platform Node and TensorFlow.js support.
 */
const MAGIC = "NMSTATE1";
const PREFIX_BYTES = MAGIC.length + 4;

/** A typed array a state may hold. */
export type StateArray = Float32Array | Int32Array | Uint8Array | Uint16Array;

const KINDS = {
  float32: Float32Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
} as const;
type ArrayKind = keyof typeof KINDS;

interface ArrayReference {
  $array: ArrayKind;
  offset: number;
  length: number;
}

const alignTo8 = (bytes: number) => Math.ceil(bytes / 8) * 8;

function kindOf(array: StateArray): ArrayKind {
  if (array instanceof Float32Array) return "float32";
  if (array instanceof Int32Array) return "int32";
  if (array instanceof Uint16Array) return "uint16";
  return "uint8";
}

const bytesOf = (array: StateArray) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

/** Writes `state` (JSON-like data with typed arrays anywhere in it) atomically to `path`. */
export function writeStateFile(path: string, state: unknown): void {
  const arrays: StateArray[] = [];
  let arrayBytes = 0;
  const header = JSON.stringify(state, (_key, value: unknown) => {
    if (!ArrayBuffer.isView(value)) return value;
    if (
      !(
        value instanceof Float32Array ||
        value instanceof Int32Array ||
        value instanceof Uint8Array ||
        value instanceof Uint16Array
      )
    ) {
      throw new TypeError(
        `writeStateFile: ${value.constructor.name} is not supported (float32, int32, uint8, uint16)`,
      );
    }
    const reference: ArrayReference = { $array: kindOf(value), offset: arrayBytes, length: value.length };
    arrays.push(value);
    arrayBytes += alignTo8(value.byteLength);
    return reference;
  });
  const headerBytes = Buffer.from(header, "utf8");
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, "latin1");
  prefix.writeUInt32LE(headerBytes.byteLength, MAGIC.length);
  const chunks: Uint8Array[] = [prefix, headerBytes, padding(PREFIX_BYTES + headerBytes.byteLength)];
  for (const array of arrays) chunks.push(bytesOf(array), padding(array.byteLength));
  writeFileAtomic(path, chunks);
}

function padding(bytes: number): Uint8Array {
  return new Uint8Array(alignTo8(bytes) - bytes);
}

/**
 * Reads a file written by {@link writeStateFile}; typed arrays come back as fresh arrays of their
 * kind. A file of another format, or one cut short, is refused with an error naming `what`.
 */
export function readStateFile(path: string, what: string): unknown {
  const descriptor = openSync(path, "r");
  try {
    const prefix = Buffer.alloc(PREFIX_BYTES);
    if (
      readSync(descriptor, prefix, 0, PREFIX_BYTES, 0) !== PREFIX_BYTES ||
      prefix.toString("latin1", 0, 8) !== MAGIC
    ) {
      throw new Error(`${what}: not a NetMARL state file (expected it to start with "${MAGIC}")`);
    }
    const headerLength = prefix.readUInt32LE(MAGIC.length);
    const headerBytes = Buffer.alloc(headerLength);
    readFully(descriptor, headerBytes, PREFIX_BYTES, what);
    let header: unknown;
    try {
      header = JSON.parse(headerBytes.toString("utf8"));
    } catch (error) {
      throw new Error(`${what}: the header is not valid JSON (corrupted): ${(error as Error).message}`);
    }
    const arraysStart = alignTo8(PREFIX_BYTES + headerLength);
    return restoreArrays(header, (reference) => {
      const Kind = KINDS[reference.$array];
      if (Kind === undefined)
        throw new Error(`${what}: unknown array kind ${JSON.stringify(reference.$array)}`);
      const array = new Kind(reference.length);
      readFully(descriptor, bytesOf(array), arraysStart + reference.offset, what);
      return array;
    });
  } finally {
    closeSync(descriptor);
  }
}

/** Reads exactly `target.byteLength` bytes at `position`, in pieces (a single read stops at 2 GiB). */
function readFully(descriptor: number, target: Uint8Array, position: number, what: string): void {
  const piece = 1 << 30;
  for (let done = 0; done < target.byteLength; ) {
    const length = Math.min(piece, target.byteLength - done);
    const read = readSync(descriptor, target, done, length, position + done);
    if (read === 0) throw new Error(`${what}: the file ends early (truncated)`);
    done += read;
  }
}

function isArrayReference(value: unknown): value is ArrayReference {
  return typeof value === "object" && value !== null && "$array" in value;
}

function restoreArrays(value: unknown, load: (reference: ArrayReference) => StateArray): unknown {
  if (isArrayReference(value)) return load(value);
  if (Array.isArray(value)) return value.map((item) => restoreArrays(item, load));
  if (typeof value === "object" && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = restoreArrays(item, load);
    return result;
  }
  return value;
}
