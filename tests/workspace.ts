import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export const REPO_ROOT = join(import.meta.dirname, "..");

/** A workspace package as the repo checks see it. */
export interface WorkspacePackage {
  folder: string;
  directory: string;
  manifest: Record<string, unknown> & { name: string };
}

export function listWorkspacePackages(): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const parent of ["packages", "apps"]) {
    const base = join(REPO_ROOT, parent);
    if (!existsSync(base)) continue;
    for (const folder of readdirSync(base)) {
      const directory = join(base, folder);
      if (!statSync(directory).isDirectory()) continue;
      const manifestPath = join(directory, "package.json");
      const manifest = existsSync(manifestPath)
        ? JSON.parse(readFileSync(manifestPath, "utf8"))
        : { name: "" };
      found.push({ folder, directory, manifest });
    }
  }
  return found;
}

/** Every non-test source file under `src/` of a package. */
export function sourceFiles(pkg: WorkspacePackage): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) files.push(path);
    }
  };
  const src = join(pkg.directory, "src");
  if (existsSync(src)) walk(src);
  return files;
}

/** Package names imported (statically or dynamically) by a file. */
export function importedPackages(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const names = new Set<string>();
  for (const match of text.matchAll(
    /(?:from\s+|import\s*\(\s*|import\s+)["']((?:@[\w.-]+\/)?[\w.:-]+)[^"']*["']/g,
  )) {
    if (!match[1].startsWith(".")) names.add(match[1]);
  }
  for (const match of text.matchAll(/["'](@tensorflow\/[\w-]+)["']/g)) names.add(match[1]);
  return [...names];
}

export function relativeToRepo(path: string): string {
  return relative(REPO_ROOT, path);
}
