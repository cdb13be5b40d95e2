import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it, vi } from "vitest";

const packageDirectory = fileURLToPath(new URL("..", import.meta.url));

const readme = readFileSync(join(packageDirectory, "README.md"), "utf8");
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

it("the README has examples", () => expect(examples.length).toBeGreaterThanOrEqual(2));

it.each(examples.map((code, index) => [index + 1, code] as const))(
  "README example %i runs as written",
  async (index, code) => {
    const file = join(packageDirectory, "src", `.readme-example-${process.pid}-${index}.ts`);
    writeFileSync(file, code);
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await import(file);
      expect(log).toHaveBeenCalled();
    } finally {
      log.mockRestore();
      rmSync(file, { force: true });
    }
  },
  60_000,
);
