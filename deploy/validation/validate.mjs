// Validates every document of the given Kubernetes YAML files against the Kubernetes API schema
// of its apiVersion and kind (kubernetes-models: validators generated from Kubernetes' OpenAPI
// spec; types, required fields, enums and formats), and strictly: a field the API does not define
// (a typo such as readOnlyRootFilesystm, which the API server would drop silently) is an error,
// found by walking the object along the models' declared interfaces. A kind it has no schema for
// is an error, so nothing passes unchecked. Prints one line per document; exits 1 if any is invalid.
//   node validate.mjs ../kubernetes/tessera.yaml ...
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const models = join(dirname(fileURLToPath(import.meta.url)), "node_modules", "kubernetes-models");
let failures = 0;

/** Property name -> declared type, and imported type name -> file, of the first interface in a .d.ts. */
const declarations = new Map();
function declared(dtsFile) {
  if (!declarations.has(dtsFile)) {
    const text = readFileSync(dtsFile, "utf8");
    const imports = new Map();
    for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
      const target = m[2].startsWith(".") ? join(dirname(dtsFile), m[2].replace(/\.js$/, ".d.ts"))
        : join(dirname(models), m[2] + ".d.ts");
      imports.set(m[1], target);
    }
    const body = text.slice(text.indexOf("export interface"));
    const properties = new Map();
    for (const m of body.slice(0, body.indexOf("\n}")).matchAll(/^ {4}"([^"]+)"\??: (.*)$/gm)) {
      properties.set(m[1], m[2]);
    }
    declarations.set(dtsFile, { imports, properties });
  }
  return declarations.get(dtsFile);
}

/** Fields of {@code value} (at {@code path}) that the interface of {@code dtsFile} does not declare. */
function unknownFields(value, dtsFile, path) {
  if (value === null || typeof value !== "object") {
    return [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => unknownFields(item, dtsFile, `${path}[${i}]`));
  }
  const { imports, properties } = declared(dtsFile);
  const found = [];
  for (const [key, child] of Object.entries(value)) {
    if (!properties.has(key)) {
      found.push(`${path}.${key}`);
      continue;
    }
    const type = properties.get(key).match(/^(?:Array<)?(\w+)/)?.[1];
    if (imports.has(type)) {
      found.push(...unknownFields(child, imports.get(type), `${path}.${key}`));
    }
  }
  return found;
}

for (const file of process.argv.slice(2)) {
  for (const [index, document] of parseAllDocuments(readFileSync(file, "utf8")).entries()) {
    const where = `${file} document ${index + 1}`;
    if (document.errors.length > 0) {
      console.log(`INVALID ${where}: YAML: ${document.errors.map((e) => e.message).join("; ")}`);
      failures++;
      continue;
    }
    const object = document.toJS();
    if (object === null) {
      continue;  // an empty document (a trailing ---)
    }
    const { apiVersion, kind } = object;
    const module = join(models, ...String(apiVersion).split("/"), `${kind}.js`);
    if (!existsSync(module)) {
      console.log(`INVALID ${where}: no Kubernetes schema for apiVersion ${apiVersion}, kind ${kind}`);
      failures++;
      continue;
    }
    const Model = (await import(module))[kind];
    try {
      new Model(object).validate();
      const unknown = unknownFields(object, module.replace(/\.js$/, ".d.ts"), kind);
      if (unknown.length > 0) {
        throw new Error(`fields the API does not define: ${unknown.join(", ")}`);
      }
      console.log(`valid ${where}: ${apiVersion} ${kind} ${object.metadata?.name ?? ""}`);
    } catch (error) {
      console.log(`INVALID ${where}: ${apiVersion} ${kind}: ${error.message}`);
      failures++;
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
