// The type of engine.wasm where it is imported as a module (the Worker: wrangler's rules make a
// `.wasm` import a compiled `WebAssembly.Module`).
declare const module: WebAssembly.Module;
export default module;
