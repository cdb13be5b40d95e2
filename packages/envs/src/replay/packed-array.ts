/**
 * Typed arrays ↔ `PackedArray` (little-endian bytes in base64). Browser-safe: uses `btoa`/`atob`
 * (global in Node ≥ 16 and every browser), no `Buffer`, so the viewer bundles this file as is.
 */
import type { PackedArray, PackedDtype } from "./replay-format.js";

type PackableArray = Float32Array | Float64Array | Int32Array | Uint8Array | Uint16Array | Int8Array;

const CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  int8: Int8Array,
} as const;

// Every supported platform is little-endian; refuse loudly rather than write swapped bytes.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function dtypeOf(array: PackableArray): PackedDtype {
  if (array instanceof Float32Array) return "float32";
  if (array instanceof Float64Array) return "float64";
  if (array instanceof Int32Array) return "int32";
  if (array instanceof Uint16Array) return "uint16";
  if (array instanceof Int8Array) return "int8";
  return "uint8";
}

const CHUNK = 0x8000; // String.fromCharCode's argument count stays far below engines' limits.

export function packArray(array: PackableArray): PackedArray {
  if (!LITTLE_ENDIAN) throw new Error("replay: big-endian platforms are not supported");
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return { dtype: dtypeOf(array), length: array.length, b64: btoa(binary) };
}

/** Decodes a `PackedArray`; `field` names it in the one-line error a malformed one gets. */
export function unpackArray(packed: unknown, field: string): PackableArray {
  const p = packed as Partial<PackedArray> | null;
  if (p === null || typeof p !== "object" || typeof p.b64 !== "string" || typeof p.length !== "number") {
    throw new Error(`replay: ${field} must be a packed array {dtype, length, b64}`);
  }
  const Ctor = CONSTRUCTORS[p.dtype as PackedDtype];
  if (Ctor === undefined) {
    throw new Error(
      `replay: ${field}.dtype must be one of ${Object.keys(CONSTRUCTORS).join(", ")}, got ${String(p.dtype)}`,
    );
  }
  let binary: string;
  try {
    binary = atob(p.b64);
  } catch {
    throw new Error(`replay: ${field}.b64 is not valid base64`);
  }
  if (binary.length !== p.length * Ctor.BYTES_PER_ELEMENT) {
    throw new Error(
      `replay: ${field} holds ${binary.length} bytes, expected ${p.length} × ${Ctor.BYTES_PER_ELEMENT} (${p.dtype})`,
    );
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Ctor(bytes.buffer);
}
