/**
 * Where a live object differs from its desired state, as readable lines `path: desired X, live Y`. Only the
 * fields the desired state sets are compared: values the service adds on its own (defaults it reports back,
 * ids, timestamps) are not drift.
 */
import { canonicalJson } from '../dataworks/json';

export function differences(desired: unknown, live: unknown, redact: (s: string) => string = s => s, path = ''): string[] {
  const out: string[] = [];
  collect(out, path, desired, live, redact);
  return out;
}

function collect(out: string[], path: string, desired: unknown, live: unknown, redact: (s: string) => string): void {
  const show = (v: unknown): string => {
    const text = redact(canonicalJson(v ?? null));
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
  };
  if (desired !== null && typeof desired === 'object' && !Array.isArray(desired)) {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) {
      out.push(`${path || '(object)'}: desired ${show(desired)}, live ${show(live)}`);
      return;
    }
    for (const [k, v] of Object.entries(desired)) collect(out, path ? `${path}.${k}` : k, v, (live as Record<string, unknown>)[k], redact);
    return;
  }
  if (Array.isArray(desired) && Array.isArray(live) && desired.length === live.length && desired.every(d => d !== null && typeof d === 'object')) {
    desired.forEach((d, i) => collect(out, `${path}[${i}]`, d, live[i], redact));
    return;
  }
  if (canonicalJson(desired) !== canonicalJson(live ?? null)) out.push(`${path}: desired ${show(desired)}, live ${show(live)}`);
}
