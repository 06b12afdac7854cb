// The provider instance the serialized stub uses inside the engine's provider process.
import { EngineProxySessionProvider } from "./credential-hint";

export const provider = new EngineProxySessionProvider();
