/**
 * Unknown-field detection for every configuration document the project reads (the environments, the runtime
 * configuration, the operations command's spec and settings). A misspelt optional field (`prefx` for `prefix`)
 * would otherwise be ignored silently and its default used, so each reader rejects keys its shape does not list.
 *
 * A shape lists the known keys of an object. `Shape<T>` derives the key set from the TypeScript type, so adding a
 * field to a configuration interface fails type-checking until its shape lists it too.
 */

/** How the value under a known key is checked. */
export type FieldShape =
  /** A scalar (or a value this checker does not descend into, such as a document another validator owns). */
  | 'value'
  /** A map with free-form keys (tags). */
  | 'map'
  /** A nested object with its own known keys. */
  | ObjectShape
  /** An array whose object items have these known keys. */
  | readonly [ObjectShape];

export interface ObjectShape {
  readonly [key: string]: FieldShape;
}

type UnionKeys<T> = T extends unknown ? keyof T : never;
type ValueAt<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;
type Scalar = string | number | boolean | bigint | symbol | null | undefined;

/** The shape of a value of type V: `value` for scalars, `map` for string-keyed records, nested shapes otherwise. */
export type FieldShapeOf<V> =
  [Exclude<V, undefined>] extends [Scalar] ? 'value'
    : [Exclude<V, undefined>] extends [ReadonlyArray<infer E>] ? ([E] extends [Scalar] ? 'value' : readonly [Shape<E>])
      : string extends UnionKeys<Exclude<V, undefined>> ? 'map'
        : Shape<Exclude<V, undefined>> | 'value';

/** Every key of T (of any member, for unions), each with the shape of its value. */
export type Shape<T> = { readonly [K in UnionKeys<T> & string]-?: FieldShapeOf<ValueAt<T, K>> };

/** A key the shape does not know, where it was found, and the known key it most likely meant. */
export interface UnknownField {
  /** Dotted path of the object holding the key (`oss`, `tablestore.dataTable.primaryKey[0]`); `''` at the top. */
  readonly path: string;
  readonly key: string;
  readonly suggestion?: string;
}

/** Every key of `value` (recursively) that `shape` does not list. Values of the wrong kind are left to the readers. */
export function findUnknownFields(value: unknown, shape: ObjectShape, path = ''): UnknownField[] {
  if (!isPlainObject(value)) return [];
  const found: UnknownField[] = [];
  const known = Object.keys(shape);
  for (const [key, child] of Object.entries(value)) {
    const field = Object.prototype.hasOwnProperty.call(shape, key) ? shape[key] : undefined;
    if (field === undefined) {
      const suggestion = closestKey(key, known);
      found.push({ path, key, ...(suggestion !== undefined ? { suggestion } : {}) });
      continue;
    }
    const childPath = path === '' ? key : `${path}.${key}`;
    if (field === 'value' || field === 'map') continue;
    if (isItemShape(field)) {
      if (Array.isArray(child)) child.forEach((item, i) => found.push(...findUnknownFields(item, field[0], `${childPath}[${i}]`)));
    } else {
      found.push(...findUnknownFields(child, field, childPath));
    }
  }
  return found;
}

/** `unknown field "prefx" in oss (did you mean "prefix"?)`. */
export function describeUnknownField(u: UnknownField): string {
  return `unknown field "${u.key}"${u.path === '' ? '' : ` in ${u.path}`}${u.suggestion !== undefined ? ` (did you mean "${u.suggestion}"?)` : ''}`;
}

function isItemShape(field: ObjectShape | readonly [ObjectShape]): field is readonly [ObjectShape] {
  return Array.isArray(field);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The known key nearest to `key` (case-insensitive edit distance), if near enough to be a typo. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.floor(key.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** Edit distance counting insertions, deletions, substitutions and swaps of adjacent letters (`tpye`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) d[0][j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
