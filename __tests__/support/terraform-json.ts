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
