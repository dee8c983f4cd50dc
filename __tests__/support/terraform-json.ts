/** A synthesized stack as Terraform JSON, and the one helper that lists its resources. */
export type StackJson = {
  resource?: Record<string, Record<string, Record<string, any>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
  variable?: Record<string, Record<string, unknown>>;
  provider?: Record<string, unknown>;
  terraform?: Record<string, unknown>;
};

/** All resources of one type in a synthesized stack (the JSON text `Testing.synth*` returns, or its parse). */
export function resourcesOf(stack: StackJson | string, type: string): Record<string, any>[] {
  const json: StackJson = typeof stack === 'string' ? JSON.parse(stack) : stack;
  return Object.values(json.resource?.[type] ?? {});
}

/**
 * `text` with the references to the stack's own resources replaced by the values Terraform would put there:
 * `${<type>.<name>.<attribute>}` by that argument of the resource (itself resolved), `${lower(<reference>)}` by its
 * lower case. Data sources and computed attributes (`data.alicloud_account.account.id`, `…kms_key.x.id`) stay.
 */
export function resolveReferences(stack: StackJson, text: string): string {
  return text.replace(/\$\{(lower\()?([a-z_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)(\))?\}/g, (whole, lower: string | undefined, type: string, name: string, attribute: string) => {
    const value = stack.resource?.[type]?.[name]?.[attribute];
    if (typeof value !== 'string') return whole;
    const resolved = resolveReferences(stack, value);
    return lower ? resolved.toLowerCase() : resolved;
  });
}
