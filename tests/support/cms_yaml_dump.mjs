// Write case data the way the form editor does: the `yaml` package with the options of Sveltia
// CMS's YAML output (output.yaml in the generated config: indent 2, indented sequences, no quotes
// unless needed, no line wrapping). Reads [{id, data}, ...] as JSON on stdin, writes <dir>/<id>.yaml.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

const dir = process.argv[2];
const items = JSON.parse(readFileSync(0, "utf8"));
for (const { id, data } of items) {
  const text = stringify(data, null, {
    indent: 2,
    indentSeq: true,
    lineWidth: 0,
    defaultKeyType: "PLAIN",
    defaultStringType: "PLAIN",
    singleQuote: true,
  }).trim();
  writeFileSync(join(dir, `${id}.yaml`), `${text}\n`, "utf8");
}
