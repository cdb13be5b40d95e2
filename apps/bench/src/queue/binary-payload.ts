/**
 * Plain data with typed arrays (weights, Adam moments, datasets) ↔ one gzipped, base64 string that
 * fits in a BullMQ job's JSON. Typed arrays travel as their raw little-endian bytes; only the
 * array types listed here are rebuilt, so decoding can never create anything but plain data.
 */
import { gunzipSync, gzipSync } from "node:zlib";

const TYPED_ARRAYS = { Float32Array, Float64Array, Int32Array, Uint32Array, Uint8Array } as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;
const TYPED_KEY = "$typed";

export function encodeBinaryPayload(value: unknown): string {
  const json = JSON.stringify(value, function (key) {
    // JSON.stringify hands typed arrays to the replacer as objects: take the original from `this`
    const original = (this as Record<string, unknown>)[key];
    if (ArrayBuffer.isView(original)) {
      const name = original.constructor.name;
      if (!(name in TYPED_ARRAYS)) throw new TypeError(`binary payload: ${name} is not supported`);
      const bytes = Buffer.from(original.buffer, original.byteOffset, original.byteLength);
      return { [TYPED_KEY]: name, data: bytes.toString("base64") };
    }
    return original;
  });
  return gzipSync(json).toString("base64");
}

export function decodeBinaryPayload(payload: string): unknown {
  return JSON.parse(gunzipSync(Buffer.from(payload, "base64")).toString("utf8"), (_key, value) => {
    if (value === null || typeof value !== "object" || !(TYPED_KEY in value)) return value;
    const name = value[TYPED_KEY] as TypedArrayName;
    if (!Object.hasOwn(TYPED_ARRAYS, name) || typeof value.data !== "string") {
      throw new TypeError(`binary payload: "${String(name)}" is not a supported typed array`);
    }
    const bytes = Buffer.from(value.data, "base64");
    const Type = TYPED_ARRAYS[name];
    if (bytes.byteLength % Type.BYTES_PER_ELEMENT !== 0) {
      throw new TypeError(`binary payload: ${bytes.byteLength} bytes do not make a ${name}`);
    }
    // copy into a fresh, aligned buffer
    const out = new Type(bytes.byteLength / Type.BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  });
}
