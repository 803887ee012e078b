/**
 * Types of `handlebars/dist/cjs/handlebars`, the module the package's Node entry
 * (`handlebars/lib/index.js`) re-exports: the same instance, with the same types.
 */
declare module 'handlebars/dist/cjs/handlebars' {
  import Handlebars from 'handlebars';
  export default Handlebars;
}
