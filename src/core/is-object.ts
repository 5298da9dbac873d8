/** A JSON object (not null, not an array): what a parsed document's fields are checked against. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
