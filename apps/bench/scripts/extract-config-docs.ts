/**
 * Reads the one-line TSDoc of every zod config and option field from the packages' sources, for
 * `describe` (zod keeps no comments at run time). A schema is identified by its ordered key list,
 * with spread field lists (`...pymarlQLearningFields`) and shapes passed by name resolved.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/** Ordered key list (comma-joined) → key → doc line. */
export type ConfigDocs = Record<string, Record<string, string>>;

interface ShapeLiteral {
  /** Keys in order, with `...name` for spreads still to resolve. */
  entries: ({ key: string; doc?: string } | { spread: string })[];
}

export function extractConfigDocs(repoRoot: string): ConfigDocs {
  const named = new Map<string, ShapeLiteral>();
  const schemas: ShapeLiteral[] = [];
  const packagesDirectory = join(repoRoot, "packages");
  for (const name of readdirSync(packagesDirectory).sort()) {
    for (const file of sourceFiles(join(packagesDirectory, name, "src"))) {
      const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node) => {
        if (
          ts.isVariableDeclaration(node) &&
          node.initializer &&
          ts.isObjectLiteralExpression(node.initializer)
        ) {
          named.set(node.name.getText(source), readShape(node.initializer, source));
        }
        if (
          ts.isCallExpression(node) &&
          node.expression.getText(source).replace(/\s+/g, "") === "z.object" &&
          node.arguments.length === 1
        ) {
          const [argument] = node.arguments;
          if (ts.isObjectLiteralExpression(argument)) schemas.push(readShape(argument, source));
          else if (ts.isIdentifier(argument)) schemas.push({ entries: [{ spread: argument.text }] });
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  const docs: ConfigDocs = {};
  for (const schema of schemas) {
    const fields = withoutRepeats(resolve(schema, named, 0));
    if (fields.length === 0) continue;
    const documented = Object.fromEntries(
      fields.filter((f) => f.doc !== undefined).map((f) => [f.key, f.doc as string]),
    );
    docs[fields.map((f) => f.key).join(",")] = documented;
  }
  return docs;
}

function readShape(literal: ts.ObjectLiteralExpression, source: ts.SourceFile): ShapeLiteral {
  return {
    entries: literal.properties.flatMap((property): ShapeLiteral["entries"] => {
      if (ts.isSpreadAssignment(property)) return [{ spread: property.expression.getText(source) }];
      if (!ts.isPropertyAssignment(property)) return [];
      const docs = ts.getJSDocCommentsAndTags(property).filter(ts.isJSDoc);
      const text = docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "").join(" ");
      const doc = text
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean)
        .join(" ");
      return [{ key: property.name.getText(source).replace(/^["']|["']$/g, ""), ...(doc ? { doc } : {}) }];
    }),
  };
}

function resolve(
  shape: ShapeLiteral,
  named: Map<string, ShapeLiteral>,
  depth: number,
): { key: string; doc?: string }[] {
  if (depth > 5) return [];
  return shape.entries.flatMap((entry) => {
    if ("key" in entry) return [entry];
    const target = named.get(entry.spread);
    return target ? resolve(target, named, depth + 1) : [];
  });
}

/**
 * A key written again after a spread (`...ppoConfigFields, epochs: ….default(5)`) keeps its first
 * position, as in the object at run time, and takes the later doc line.
 */
function withoutRepeats(fields: { key: string; doc?: string }[]): { key: string; doc?: string }[] {
  const byKey = new Map<string, { key: string; doc?: string }>();
  for (const field of fields)
    byKey.set(field.key, { key: field.key, doc: field.doc ?? byKey.get(field.key)?.doc });
  return [...byKey.values()];
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
    });
}
