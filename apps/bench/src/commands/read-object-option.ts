import { existsSync, readFileSync } from "node:fs";
import { extname } from "node:path";
import yaml from "js-yaml";

/**
 * The value of an object option (`--config`, `--env-options`): inline JSON (`'{"learningRate":0.05}'`),
 * or the path of a `.json`, `.yaml` or `.yml` file holding one object.
 */
export function readObjectOption(value: string, option: string): Record<string, unknown> {
  const inline = value.trimStart().startsWith("{");
  let parsed: unknown;
  if (inline) {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new RangeError(`${option}: not valid JSON (${(error as Error).message})`);
    }
  } else {
    if (!existsSync(value)) {
      throw new RangeError(
        `${option} ${value}: neither inline JSON (e.g. '{"learningRate":0.05}') nor an existing .json/.yaml file`,
      );
    }
    parsed = readDataFile(value, option);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new RangeError(`${option}${inline ? "" : ` ${value}`}: expected an object of keys and values`);
  }
  return parsed as Record<string, unknown>;
}

/** The content of a JSON or (by extension `.yaml` / `.yml`) YAML file; errors name `what` and the file. */
export function readDataFile(path: string, what: string): unknown {
  const text = readFileSync(path, "utf8");
  const isYaml = [".yaml", ".yml"].includes(extname(path).toLowerCase());
  try {
    return isYaml ? yaml.load(text) : JSON.parse(text);
  } catch (error) {
    const firstLine = (error as Error).message.split("\n", 1)[0];
    throw new RangeError(`${what} ${path}: not valid ${isYaml ? "YAML" : "JSON"} (${firstLine})`);
  }
}
