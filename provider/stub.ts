// The only provider code written into state (`__provider`). Pulumi's dynamic provider host
// stores it in every resource's inputs and again in its outputs, runs it as a module
// (require-from-string) and calls its `handler()` to get the provider on every refresh and
// destroy, from whichever checkout or CI runner runs them (pulumi#12401, #16826, #18976).
//
// So it is a few hand-written lines that `require` the implementation from the installed
// package: it holds no path and no credential, is the same for every resource, and does not
// change when the implementation, the compiler or Pulumi's closure serializer does. Changing this
// text changes every session's state: keep it byte-identical across releases (a test pins it).
//
// The host evaluates it without a file name, so `require` resolves from the project directory,
// where users install this package (and where, inside this repository, the package's link to
// itself in node_modules makes it resolvable too). Node caches the module, and the host caches
// the provider per text, so the implementation loads once per process.
export const providerModule =
  "exports.handler=()=>{try{return require('pulumi-twilio-proxy/dist/provider/runtime').provider}" +
  "catch(e){if(e.code==='MODULE_NOT_FOUND')e.message=" +
  "`pulumi-twilio-proxy is not installed for ${process.cwd()}: run npm install (${e.message})`;" +
  "throw e}};";
