/**
 * Prisma's WebAssembly schema engine, instantiated from its .wasm file here.
 * The package's entry imports the .wasm as an ES module, which Node 20 allows
 * only behind --experimental-wasm-modules, with an ExperimentalWarning on
 * every start; compiling the file and handing it the package's own JS
 * bindings (what that entry does) needs neither.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const BINDINGS = "@prisma/schema-engine-wasm/schema_engine_bg";
type Bindings = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");

let loading: Promise<Bindings> | null = null;

export function loadSchemaEngine(): Promise<Bindings> {
  loading ??= (async () => {
    const bindings: Bindings = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmFile = path.join(path.dirname(createRequire(import.meta.url).resolve(BINDINGS)), "schema_engine_bg.wasm");
    const module = await WebAssembly.compile(fs.readFileSync(wasmFile));
    // The .wasm imports its JS glue under the glue's file name ("./schema_engine_bg.js").
    const imports = Object.fromEntries(WebAssembly.Module.imports(module).map((i) => [i.module, bindings as unknown as WebAssembly.ModuleImports]));
    const instance = await WebAssembly.instantiate(module, imports);
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return loading;
}
