// The only provider code Pulumi serializes into state (`__provider`): a few lines that load
// the implementation from the installed package when the engine runs them. State therefore
// stays small and does not change when the implementation does, and refresh and destroy from
// another checkout or CI runner use the code installed there (pulumi#12401, #16826, #18976).
//
// Nothing here may reference module-level imports: the serializer would copy them by value.
import type * as dynamic from "@pulumi/pulumi/dynamic";

type Impl = Required<dynamic.ResourceProvider>;

// The provider process evaluates the serialized text without a file name, so `require`
// resolves from the Pulumi project directory's node_modules, where users install this
// package. Inside this package's own repository it cannot require itself by name, so the
// fallback finds the package root above the project directory at run time (never a
// baked-in path). The cache on globalThis loads the implementation once per process.
function loadImpl(): Impl {
  const cache = globalThis as { __pulumiTwilioProxyProvider?: Impl };
  if (cache.__pulumiTwilioProxyProvider) return cache.__pulumiTwilioProxyProvider;
  let mod: { provider: Impl };
  try {
    mod = require("pulumi-twilio-proxy/dist/provider/runtime");
  } catch (err) {
    if ((err as { code?: string }).code !== "MODULE_NOT_FOUND") throw err;
    const path = require("node:path");
    const fs = require("node:fs");
    for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
      const manifest = path.join(dir, "package.json");
      if (
        fs.existsSync(manifest) &&
        JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-twilio-proxy"
      ) {
        mod = require(path.join(dir, "dist/provider/runtime"));
        break;
      }
      if (path.dirname(dir) === dir) {
        (err as Error).message =
          `pulumi-twilio-proxy is not installed for ${process.cwd()}: run npm install (${(err as Error).message})`;
        throw err;
      }
    }
  }
  return (cache.__pulumiTwilioProxyProvider = mod.provider);
}

export const providerStub: dynamic.ResourceProvider = {
  configure: (req) => loadImpl().configure(req),
  check: (olds, news) => loadImpl().check(olds, news),
  diff: (id, olds, news) => loadImpl().diff(id, olds, news),
  create: (inputs) => loadImpl().create(inputs),
  read: (id, props) => loadImpl().read(id, props),
  update: (id, olds, news) => loadImpl().update(id, olds, news),
  delete: (id, props) => loadImpl().delete(id, props),
};
