import { didYouMean } from "@netmarl/envs";
import { z } from "zod";
import { ALGORITHMS } from "../registry/algorithms.js";
import { CONFIG_DOCS } from "../registry/config-docs.generated.js";
import { ENVIRONMENTS } from "../registry/environments.js";

/** One config key of an algorithm or one option of an environment, as `describe` lists it. */
export interface ConfigKey {
  key: string;
  /** JSON-schema-like type: `number`, `integer ≥ 1`, `boolean`, `integer[]`, `"a" | "b"` … */
  type: string;
  /** The default as JSON, or `(none)` for an optional key without one, `(required)`. */
  default: string;
  /** The field's TSDoc line (or the schema's description). */
  doc?: string;
}

export interface ConfigDescription {
  kind: "algorithm" | "environment";
  id: string;
  description: string;
  keys: ConfigKey[];
}

/** The config keys of a registered algorithm, or the options of a registered environment. */
export function describeConfig(id: string): ConfigDescription {
  const algorithm = ALGORITHMS.find((a) => a.id === id);
  if (algorithm) {
    return {
      kind: "algorithm",
      id,
      description: algorithm.description,
      keys: listKeys(algorithm.configSchema),
    };
  }
  const environment = ENVIRONMENTS.find((e) => e.id === id || e.aliases.includes(id));
  if (environment) {
    return {
      kind: "environment",
      id: environment.id,
      description: environment.description,
      keys: listKeys(environment.optionsSchema),
    };
  }
  const known = [...ALGORITHMS.map((a) => a.id), ...ENVIRONMENTS.map((e) => e.id)];
  const names = [...known, ...ENVIRONMENTS.flatMap((e) => e.aliases)];
  throw new RangeError(
    `"${id}" is neither a registered algorithm nor an environment; known: ${known.join(", ")}.${didYouMean(id, names)}`,
  );
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

function listKeys(schema: z.ZodType): ConfigKey[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const required = new Set(json.required ?? []);
  const docs = CONFIG_DOCS[Object.keys(json.properties ?? {}).join(",")] ?? {};
  return Object.entries(json.properties ?? {}).map(([key, property]) => ({
    key,
    type: typeOf(property),
    default:
      property.default !== undefined
        ? JSON.stringify(property.default)
        : required.has(key)
          ? "(required)"
          : "(none)",
    ...(property.description || docs[key] ? { doc: property.description ?? docs[key] } : {}),
  }));
}

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

function typeOf(schema: JsonSchema): string {
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return options.map(typeOf).join(" | ");
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const type = Array.isArray(schema.type) ? schema.type.join(" | ") : (schema.type ?? "any");
  if (type === "array") return `${schema.items ? typeOf(schema.items) : "any"}[]`;
  const bounds: string[] = [];
  if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
  if (schema.minimum !== undefined && schema.minimum > -SAFE_INTEGER) bounds.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
  if (schema.maximum !== undefined && schema.maximum < SAFE_INTEGER) bounds.push(`≤ ${schema.maximum}`);
  return bounds.length > 0 ? `${type} ${bounds.join(", ")}` : type;
}
