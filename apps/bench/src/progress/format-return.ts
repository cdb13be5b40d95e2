/**
 * A return for people to read: fixed decimals, or `none` where nothing was measured — NaN in a
 * `RunSummary` (no episode finished, no evaluation ran), `null` once that summary is stored as JSON.
 */
export function formatReturn(value: number | null | undefined, digits = 2): string {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "none";
}

/** A measured number as stored in JSON: NaN and ±Infinity (which JSON cannot hold) become null. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
