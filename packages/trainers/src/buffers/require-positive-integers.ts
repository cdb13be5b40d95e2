/** Refuses any of `keys` in `options` that is not an integer ≥ 1, naming the owner and the field. */
export function requirePositiveIntegers<K extends string>(
  owner: string,
  options: { readonly [key in K]: number },
  keys: readonly K[],
): void {
  for (const key of keys) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new RangeError(`${owner}: ${key} = ${options[key]}; expected an integer >= 1`);
    }
  }
}
