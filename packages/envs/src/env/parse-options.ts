import type { z } from "zod";

/**
 * Validates `input` against a zod schema at an API boundary. The error names each bad field, the
 * value given and what was expected, e.g. `coordination-game options: numAgents = 1: Too small: …`.
 */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  context: string,
): z.output<Schema> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join(".") : "(value)";
    const given = valueAt(input, issue.path);
    const shown = given === undefined ? "missing" : `= ${describe(given)}`;
    return `${path} ${shown}: ${issue.message}`;
  });
  throw new OptionsError(`${context}: ${lines.join("; ")}`);
}

/** Thrown for invalid options or configs. */
export class OptionsError extends RangeError {
  override name = "OptionsError";
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
