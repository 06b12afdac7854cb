// The way out of a 401 after a credential rotation. With credentials in stack config, `pulumi
// refresh`, `preview` and `destroy` configure the provider from the configuration the last `up`
// saved in state, not from the current one (README: "rotating them"): the error says so, and
// that `--run-program` uses the current configuration, in one line without a stack trace.
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { TwilioApiError, TwilioProxyError } from "./errors";
import { ProxySessionProvider } from "./provider";
import type { StoredOutputs } from "./stored";
import type { ProxySessionInputs } from "./types";

export const STALE_CONFIG_HINT =
  "the credentials come from stack config: refresh, preview and destroy use the configuration " +
  "saved at the last `up`, and `--run-program` uses the current one";

/** Twilio refused the credentials, which came from stack config. */
export class CredentialsRefusedError extends TwilioProxyError {
  constructor(cause: TwilioApiError) {
    super(`${cause.message}; ${STALE_CONFIG_HINT}`, { cause });
    // The dynamic-provider host prints `${err}: ${err.stack}` for a failed read or delete: the
    // message is all there is to say, so the trace is left out.
    this.stack = "";
  }
}

/** The provider as the engine runs it (runtime.ts): its 401s say where the credentials came from. */
export class EngineProxySessionProvider extends ProxySessionProvider {
  private credentialsFromConfig = false;

  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    this.credentialsFromConfig = req.config.get("twilio:password") !== undefined;
    return super.configure(req);
  }

  create(inputs: ProxySessionInputs) {
    return this.explained(super.create(inputs));
  }

  read(id: string, props?: StoredOutputs) {
    return this.explained(super.read(id, props));
  }

  update(id: string, olds: StoredOutputs, news: ProxySessionInputs) {
    return this.explained(super.update(id, olds, news));
  }

  delete(id: string, props: StoredOutputs) {
    return this.explained(super.delete(id, props));
  }

  private explained<T>(operation: Promise<T>): Promise<T> {
    return operation.catch((err: unknown) => {
      const refused = err instanceof TwilioApiError && err.status === 401;
      throw refused && this.credentialsFromConfig ? new CredentialsRefusedError(err) : err;
    });
  }
}
