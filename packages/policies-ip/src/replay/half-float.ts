/**
 * IEEE 754 binary16 encode/decode for the replay's optional half-precision observation frames
 * (Node 20 has no Float16Array). Encoding rounds to nearest even; decoding is a 65 536-entry table.
 */
const scratch = new Float32Array(1);
const bits = new Uint32Array(scratch.buffer);
let table: Float32Array | null = null;

/** The binary16 bit pattern nearest to `value` (±Infinity beyond 65 504, NaN kept). */
export function toHalf(value: number): number {
  scratch[0] = value;
  const x = bits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal: shift the implicit bit in, round to nearest even.
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let result = mantissa >>> shift;
    if (rest > half || (rest === half && (result & 1) === 1)) result++;
    return sign | result;
  }
  let result = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // Round to nearest even; a carry into the exponent is the correct rounding too.
  if (rest > 0x1000 || (rest === 0x1000 && (result & 1) === 1)) result++;
  return sign | result;
}

/** The value of a binary16 bit pattern. */
export function fromHalf(half: number): number {
  return halfTable()[half & 0xffff];
}

/** Decodes `source` (binary16 patterns) into `target`. */
export function decodeHalves(source: Uint16Array, target: Float32Array, targetOffset = 0): void {
  const lookup = halfTable();
  for (let i = 0; i < source.length; i++) target[targetOffset + i] = lookup[source[i]];
}

function halfTable(): Float32Array {
  if (table !== null) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 0x1f) table[h] = mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
    else table[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
}
