// The only provider code written into state (`__provider`). Pulumi's dynamic provider host
// stores it in every resource's inputs and again in its outputs, runs it as a module
// (require-from-string) and calls its `handler()` to get the provider on every refresh and
// destroy, from whichever checkout or CI runner runs them (pulumi#12401, #16826, #18976).
//
// So it is one hand-written line that `require`s the implementation from the installed package:
// no path, no credential, the same for every resource, and unchanged when the implementation,
// the compiler or Pulumi's closure serializer changes. Every byte of it is stored twice per
// session and rewritten with the whole state after every step of an operation, so it holds
// nothing else: where the package is missing, Node's own error names it ("Cannot find module
// 'pulumi-twilio-proxy/dist/provider/runtime'"). Changing this text changes every session's
// state, and every text ever released must keep working: keep it byte-identical across releases
// (a test pins it), and keep `dist/provider/runtime.js` exporting `provider`.
//
// The host evaluates it without a file name, so `require` resolves from the project directory,
// where users install this package (and where, inside this repository, the package's link to
// itself in node_modules makes it resolvable too). Node caches the module, and the host caches
// the provider per text, so the implementation loads once per process.
export const providerModule =
  "exports.handler=()=>require('pulumi-twilio-proxy/dist/provider/runtime').provider";
