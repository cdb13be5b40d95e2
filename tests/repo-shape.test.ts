import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importedPackages, listWorkspacePackages, relativeToRepo, sourceFiles } from "./workspace.js";

const packages = listWorkspacePackages();

type Conditions = Record<string, string>;
interface Manifest {
  name: string;
  type?: string;
  sideEffects?: boolean;
  license?: string;
  engines?: { node?: string };
  exports?: Record<string, Conditions | string>;
  files?: string[];
  publishConfig?: { access?: string; exports?: Record<string, Conditions> };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Which @netmarl packages each layer may import (ARCHITECTURE.md: arrows point down only). */
function allowedInternalImports(folder: string): string[] | "any" {
  if (folder === "bench") return "any";
  if (folder === "envs") return [];
  if (folder === "viewer") return ["@netmarl/envs"];
  if (folder === "graph-nn") return ["@netmarl/envs"];
  if (folder === "trainers") return ["@netmarl/envs", "@netmarl/graph-nn"];
  if (folder.startsWith("policies-") || folder === "influence-sim") {
    return ["@netmarl/envs", "@netmarl/graph-nn", "@netmarl/trainers"];
  }
  return [];
}

describe("every workspace package has the same shape", () => {
  const tsupConfigs = new Set(packages.map((p) => readFileSync(join(p.directory, "tsup.config.ts"), "utf8")));

  it("shares one identical tsup.config.ts", () => {
    expect(tsupConfigs.size).toBe(1);
  });

  it.each(packages.map((p) => [p.folder, p] as const))("%s", (folder, pkg) => {
    const m = pkg.manifest as Manifest;
    expect(m.name).toBe(`@netmarl/${folder}`);
    expect(m.type).toBe("module");
    expect(m.sideEffects).toBe(false);
    expect(m.license).toBe("MIT");
    expect(m.engines?.node).toBe(">=20");
    const rootExport = (m.exports?.["."] ?? {}) as Conditions;
    expect(Object.keys(rootExport)[0], "the @netmarl/source condition comes first").toBe("@netmarl/source");
    expect(rootExport["@netmarl/source"]).toBe("./src/index.ts");
    for (const [subpath, conditions] of Object.entries(m.exports ?? {})) {
      if (typeof conditions !== "object") continue;
      expect(Object.keys(conditions)[0], `${subpath} starts with @netmarl/source`).toBe("@netmarl/source");
      expect(
        m.publishConfig?.exports?.[subpath]?.["@netmarl/source"],
        `${subpath} publishes without sources`,
      ).toBeUndefined();
      expect(m.publishConfig?.exports?.[subpath]?.import).toMatch(/^\.\/dist\//);
    }
    expect(m.files).toEqual(expect.arrayContaining(["dist", "README.md", "CHANGELOG.md"]));
    expect(m.publishConfig?.access).toBe("public");
    // tsup, then at most an extra step of the same build (the viewer inlines its page into one HTML file).
    expect(m.scripts?.build).toMatch(/^tsup( && .+)?$/);
    expect(m.scripts?.typecheck).toBe("tsc --noEmit");
    for (const file of ["src/index.ts", "tsconfig.json", "tsup.config.ts", "README.md", "CHANGELOG.md"]) {
      expect(existsSync(join(pkg.directory, file)), `${folder}/${file}`).toBe(true);
    }
    const tsconfig = JSON.parse(readFileSync(join(pkg.directory, "tsconfig.json"), "utf8"));
    expect(tsconfig.extends).toBe("../../tsconfig.base.json");
    const readme = readFileSync(join(pkg.directory, "README.md"), "utf8");
    const firstSection = readme.split(/\n## /)[0];
    expect(firstSection, "the README opens with a runnable example").toMatch(/```(ts|typescript|sh|bash)\n/);
  });
});

describe("dependency direction (ARCHITECTURE.md)", () => {
  it.each(packages.map((p) => [p.folder, p] as const))(
    "%s imports only what its layer allows",
    (folder, pkg) => {
      const allowed = allowedInternalImports(folder);
      const m = pkg.manifest as Manifest;
      const declared = new Set([
        ...Object.keys(m.dependencies ?? {}),
        ...Object.keys(m.peerDependencies ?? {}),
        ...Object.keys(m.optionalDependencies ?? {}),
      ]);
      for (const file of sourceFiles(pkg)) {
        for (const name of importedPackages(file)) {
          const where = `${relativeToRepo(file)} imports ${name}`;
          if (name === "@netmarl/bench") expect.fail(`${where}: nothing imports the bench app`);
          if (folder === "envs" && name.startsWith("@tensorflow/"))
            expect.fail(`${where}: envs has no ML dependency`);
          if (name.startsWith("@netmarl/") && name !== `@netmarl/${folder}`) {
            if (allowed !== "any" && !allowed.includes(name))
              expect.fail(`${where}: not allowed from ${folder}`);
          }
          if (name.startsWith("node:") || name === m.name) continue;
          const isTensorflowOptional =
            name === "@tensorflow/tfjs-node" || name.startsWith("@tensorflow/tfjs-backend-");
          if (!declared.has(name) && !isTensorflowOptional)
            expect.fail(`${where}: not declared in package.json`);
        }
      }
      if (folder === "envs") {
        expect(JSON.stringify(m)).not.toMatch(/@tensorflow/);
      }
    },
  );

  it("no policy package depends on another", () => {
    for (const pkg of packages.filter((p) => p.folder.startsWith("policies-"))) {
      const manifest = pkg.manifest as Manifest;
      const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
      expect(deps.filter((d) => d.startsWith("@netmarl/policies-"))).toEqual([]);
    }
  });

  it("the import scanner sees static, type-only and dynamic imports", () => {
    const text = importedPackages(join(import.meta.dirname, "fixtures", "imports.ts.txt"));
    expect(text.sort()).toEqual([
      "@netmarl/envs",
      "@tensorflow/tfjs-core",
      "@tensorflow/tfjs-node",
      "node:fs",
      "zod",
    ]);
  });
});
