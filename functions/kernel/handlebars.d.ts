/**
 * Types of `handlebars/lib/handlebars`, the ES module source of the compiler and runtime that the
 * package's CommonJS builds (`dist/cjs`, re-exported by its Node entry `lib/index.js`) are
 * transpiled from: the same API, with the same types.
 */
declare module 'handlebars/lib/handlebars' {
  import Handlebars from 'handlebars';
  export default Handlebars;
}
