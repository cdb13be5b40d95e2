/**
 * Thrown when a CityFlow `config.json`, `roadnet.json` or `flow.json` is malformed. The message
 * names the file, the JSON path of the bad value (`$.intersections[3].roadLinks[0].startRoad`),
 * the expected form and what was found, so a user can fix the file without reading our code.
 */
export class CityFlowFormatError extends Error {
  override name = "CityFlowFormatError";
  /** The file (or label) the bad value came from. */
  readonly file: string;
  /** JSONPath-like location of the bad value, `$` for the document root. */
  readonly jsonPath: string;
  /** What the value should have been. */
  readonly expected: string;

  constructor(file: string, jsonPath: string, expected: string, found: string) {
    super(`${file}: ${jsonPath}: expected ${expected}; found ${found}`);
    this.file = file;
    this.jsonPath = jsonPath;
    this.expected = expected;
  }
}

/** Short, bounded description of a JSON value for error messages. */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
