/**
 * The string the engine sends for values that are unknown during preview, whatever the
 * property's type (pulumi#6310). check and diff must let it through.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}
