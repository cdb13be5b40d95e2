import type { z } from "zod";
import { didYouMean } from "./closest-match.js";

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
    if (issue.code === "unrecognized_keys") {
      const known = objectKeysAt(schema, issue.path);
      const hints = issue.keys.map((key) => didYouMean(key, known)).join("");
      return `${issue.message}.${hints} Known keys${issue.path.length > 0 ? ` of ${path}` : ""}: ${known.join(", ")}`;
    }
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

/** The keys of the object schema at `path` inside `schema` (through defaults, optionals, pipes). */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const key of path) {
    const shape = (current._zod.def as { shape?: Record<string, z.ZodType> }).shape;
    const element = (current._zod.def as { element?: z.ZodType }).element;
    const next = shape?.[String(key)] ?? element;
    if (next === undefined) return [];
    current = unwrap(next);
  }
  const shape = (current._zod.def as { shape?: Record<string, z.ZodType> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { innerType?: z.ZodType; in?: z.ZodType };
    const inner = def.innerType ?? def.in;
    if (inner === undefined) return current;
    current = inner;
  }
}
