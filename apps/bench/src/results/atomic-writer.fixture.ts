/** Child for the atomic-write crash test: rewrites one file forever, alternating two contents. */
import { writeFileAtomic } from "@netmarl/trainers";

const [path, sizeText] = process.argv.slice(2);
const size = Number(sizeText);
const contents = [Buffer.alloc(size, "a"), Buffer.alloc(size, "b")];
process.stdout.write("writing\n");
for (let i = 0; ; i++) writeFileAtomic(path, contents[i % 2]);
