// The provider instance the serialized stub uses inside the engine's provider process.
import { ProxySessionProvider } from "./provider";

export const provider = new ProxySessionProvider();
