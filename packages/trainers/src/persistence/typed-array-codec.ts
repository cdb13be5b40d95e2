import type { StateArray } from "./state-file.js";

/**
 * A copy of `array` for a learner's state: states outlive the step they were taken at, so they
 * must not alias arrays the learner keeps writing. Checkpoints store it as raw bytes
 * ({@link writeStateFile}).
 */
export function encodeTypedArray<T extends StateArray>(array: T): T {
  return array.slice() as T;
}

/**
 * Copies a stored array into `target`, which fixes the kind and the length; anything else is refused
 * naming `name`. With `prefix`, a shorter stored array fills the start of `target` (a replay buffer
 * stores only its filled rows).
 */
export function decodeTypedArrayInto<T extends StateArray>(
  stored: unknown,
  target: T,
  name: string,
  prefix = false,
): T {
  if (!ArrayBuffer.isView(stored) || stored.constructor !== target.constructor) {
    throw new RangeError(`${name}: expected a ${target.constructor.name}, got ${describe(stored)}`);
  }
  const array = stored as T;
  const fits = prefix ? array.length <= target.length : array.length === target.length;
  if (!fits) {
    throw new RangeError(
      `${name}: the stored array has ${array.length} entries; expected ${prefix ? "at most " : ""}${target.length}`,
    );
  }
  target.set(array);
  return target;
}

function describe(value: unknown): string {
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return value === null ? "null" : typeof value;
}
