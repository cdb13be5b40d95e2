import { CityFlowFormatError, describeJsonValue } from "./cityflow-format-error.js";

type JsonObject = Record<string, unknown>;

/**
 * Typed access to a parsed JSON document that refuses, with a {@link CityFlowFormatError}, any
 * value of the wrong kind: the loaders never fall back to a default for a malformed field.
 */
export class JsonReader {
  constructor(readonly file: string) {}

  /** Parses `text`, refusing non-JSON with the parser's position. */
  parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new CityFlowFormatError(this.file, "$", "a JSON document", `text that is not JSON (${reason})`);
    }
  }

  fail(path: string, expected: string, value: unknown): never {
    throw new CityFlowFormatError(this.file, path, expected, describeJsonValue(value));
  }

  object(value: unknown, path: string): JsonObject {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      this.fail(path, "an object", value);
    return value as JsonObject;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, "an array", value);
    return value;
  }

  /** A required member of `object`; missing members are named in the error. */
  member(object: JsonObject, key: string, path: string): unknown {
    if (!Object.hasOwn(object, key)) {
      throw new CityFlowFormatError(
        this.file,
        `${path}.${key}`,
        "a value (the field is required)",
        "nothing",
      );
    }
    return object[key];
  }

  string(value: unknown, path: string): string {
    if (typeof value !== "string" || value.length === 0) this.fail(path, "a non-empty string", value);
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== "boolean") this.fail(path, "true or false", value);
    return value;
  }

  /** A finite number, optionally bounded (`min`/`minExclusive`) or integral. */
  number(
    value: unknown,
    path: string,
    bounds: { min?: number; minExclusive?: number; integer?: boolean } = {},
  ): number {
    const { min, minExclusive, integer } = bounds;
    const kind = integer ? "an integer" : "a finite number";
    const range = minExclusive !== undefined ? ` > ${minExclusive}` : min !== undefined ? ` >= ${min}` : "";
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(path, `${kind}${range}`, value);
    if (integer && !Number.isInteger(value)) this.fail(path, `${kind}${range}`, value);
    if (min !== undefined && value < min) this.fail(path, `${kind}${range}`, value);
    if (minExclusive !== undefined && value <= minExclusive) this.fail(path, `${kind}${range}`, value);
    return value;
  }

  /** A `{x, y}` point. */
  point(value: unknown, path: string): { x: number; y: number } {
    const object = this.object(value, path);
    return {
      x: this.number(this.member(object, "x", path), `${path}.x`),
      y: this.number(this.member(object, "y", path), `${path}.y`),
    };
  }
}
