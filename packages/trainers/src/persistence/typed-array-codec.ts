/** Typed arrays as base64 strings: compact in JSON checkpoints, and bit-exact on the way back. */
export function encodeTypedArray(array: Float32Array | Int32Array | Uint8Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("base64");
}

/** Decodes into `target` (which fixes the type and length); refuses a length mismatch. */
export function decodeTypedArrayInto<T extends Float32Array | Int32Array | Uint8Array>(
  encoded: string,
  target: T,
  name: string,
): T {
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.byteLength !== target.byteLength) {
    throw new RangeError(
      `${name}: the stored array has ${bytes.byteLength} bytes; expected ${target.byteLength}`,
    );
  }
  new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes);
  return target;
}
