// Build the console: src/ -> dist/ (app.js and app.css; index.html and
// favicon.svg are installed from src/ as they are).  `node build.mjs --check [--node-modules DIR]` builds into
// a temporary directory and fails unless the result equals dist/ byte for
// byte (the committed bundle matches its source; docs/console.md).
import * as esbuild from "esbuild";
import { mkdtempSync, readFileSync, writeFileSync, readdirSync,
         rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const check = args.includes("--check");
const nm = args.includes("--node-modules") ? args[args.indexOf("--node-modules") + 1] : null;
const out = check ? mkdtempSync(join(tmpdir(), "algocode-console-")) : join(here, "dist");
mkdirSync(out, { recursive: true });

const common = { bundle: true, minify: true, legalComments: "eof", logLevel: "warning",
                 nodePaths: nm ? [nm] : [], absWorkingDir: here };
await esbuild.build({ ...common, entryPoints: [join(here, "src/main.js")],
  outfile: join(out, "app.js"), format: "iife", target: ["es2020"],
  charset: "utf8" });
await esbuild.build({ ...common, entryPoints: [join(here, "src/style.css")],
  outfile: join(out, "app.css") });

if (check) {
  const dist = join(here, "dist");
  const want = readdirSync(out).sort(), have = readdirSync(dist).sort();
  let bad = JSON.stringify(want) !== JSON.stringify(have)
    ? [`files differ: built ${want}, committed ${have}`] : [];
  for (const f of want)
    if (have.includes(f) && !readFileSync(join(out, f)).equals(readFileSync(join(dist, f))))
      bad.push(`${f} differs from the build of src/`);
  rmSync(out, { recursive: true, force: true });
  if (bad.length) {
    console.error(bad.join("\n") + "\nrun `npm run build` in console/ and commit dist/");
    process.exit(1);
  }
  console.log("console/dist matches its source");
}
