/** Child for the suite kill-and-resume test: runs a suite file into a folder, in this process. */
import { readFileSync } from "node:fs";
import { parseSuite } from "../suites/experiment-schema.js";
import { runSuite } from "./run-suite.js";

const [suiteFile, outDirectory] = process.argv.slice(2);
await runSuite(parseSuite(JSON.parse(readFileSync(suiteFile, "utf8"))), {
  outDirectory,
  workers: 1,
  backend: "cpu",
});
process.stdout.write("finished\n");
