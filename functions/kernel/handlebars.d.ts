/**
 * Types of the ES module sources of Handlebars (`handlebars/lib/...`), which the package's CommonJS
 * builds (`dist/cjs`, re-exported by its Node entry `lib/index.js`) are transpiled from: the same
 * API, with the same types. The compiler's modules are typed as far as this repository uses them
 * (functions/kernel/template-render.ts).
 */
declare module 'handlebars/lib/handlebars' {
  import Handlebars from 'handlebars';
  export default Handlebars;
}

declare module 'handlebars/lib/handlebars.runtime' {
  import Handlebars from 'handlebars/runtime';
  export default Handlebars;
}

declare module 'handlebars/lib/handlebars/compiler/compiler' {
  /** `Handlebars.Compiler`: turns a syntax tree into opcodes. */
  export const Compiler: new () => unknown;
  /**
   * `Handlebars.compile` of an environment: `input` is a source, or a syntax tree when the
   * environment's `parse` returns trees as they are.
   */
  export function compile(
    input: unknown,
    options: CompileOptions,
    env: object,
  ): (context: unknown, options?: RuntimeOptions) => string;
}

declare module 'handlebars/lib/handlebars/compiler/javascript-compiler' {
  /** `Handlebars.JavaScriptCompiler`: turns opcodes into the template's code. */
  const JavaScriptCompiler: new () => unknown;
  export default JavaScriptCompiler;
}
