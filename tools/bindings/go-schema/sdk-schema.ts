/**
 * Evaluates terraform-plugin-sdk (v1/v2 helper/schema) declarations into a typed model of the
 * fields that decide the schema Terraform core sees, plus the validation fields (kept as
 * expressions for go-schema/validators.ts). Fields that only affect runtime behaviour (diff
 * suppression, defaults, hashing) are recognised and ignored; any other field is an error, so a
 * new SDK field can never be silently dropped.
 */
import { Element, Expr } from './parser';
import { GoPackageSource } from './package-source';

export type SdkValueType = 'TypeBool' | 'TypeInt' | 'TypeFloat' | 'TypeString' | 'TypeList' | 'TypeMap' | 'TypeSet';
export type SdkConfigMode = 'auto' | 'attr' | 'block';

export interface SdkSchema {
  readonly type: SdkValueType;
  readonly optional: boolean;
  readonly required: boolean;
  readonly computed: boolean;
  readonly sensitive: boolean;
  readonly deprecated: boolean;
  readonly description: string;
  readonly elem?: SdkSchema | SdkResource | SdkValueType;
  readonly minItems: number;
  readonly maxItems: number;
  readonly configMode: SdkConfigMode;
  /** Whether a DefaultFunc returns a non-nil value in an environment with no provider variables set. */
  readonly defaultFuncYieldsValue: boolean;
  /** The `ValidateFunc` / `ValidateDiagFunc` expressions, read by go-schema/validators.ts. */
  readonly validateFunc?: Expr;
  readonly validateDiagFunc?: Expr;
  readonly conflictsWith: readonly string[];
  readonly exactlyOneOf: readonly string[];
  readonly atLeastOneOf: readonly string[];
  readonly requiredWith: readonly string[];
}

export interface SdkResource {
  readonly kind: 'resource';
  readonly schema: Readonly<Record<string, SdkSchema>>;
  readonly schemaVersion: number;
  readonly timeouts: readonly ('create' | 'read' | 'update' | 'delete' | 'default')[];
  readonly deprecationMessage: string;
  readonly description: string;
}

const VALUE_TYPES: readonly SdkValueType[] = ['TypeBool', 'TypeInt', 'TypeFloat', 'TypeString', 'TypeList', 'TypeMap', 'TypeSet'];

/** Schema fields with no effect on the reported schema nor on what configuration is valid. */
const IGNORED_SCHEMA_FIELDS = new Set([
  'ForceNew', 'DiffSuppressFunc', 'DiffSuppressOnRefresh', 'Default', 'Set', 'StateFunc', 'ComputedWhen',
  'InputDefault', 'PromoteSingle',
]);

/** Resource fields with no effect on the reported schema. */
const IGNORED_RESOURCE_FIELDS = new Set([
  'Create', 'Read', 'Update', 'Delete', 'Exists', 'Importer', 'CustomizeDiff', 'StateUpgraders', 'MigrateState',
  'CreateContext', 'ReadContext', 'UpdateContext', 'DeleteContext', 'CreateWithoutTimeout', 'ReadWithoutTimeout',
  'UpdateWithoutTimeout', 'DeleteWithoutTimeout', 'UseJSONNumber', 'EnableLegacyTypeSystemApplyErrors',
  'EnableLegacyTypeSystemPlanErrors',
]);

export class SdkSchemaReader {
  constructor(private readonly pkg: GoPackageSource) {}

  /** Reads the resource returned by a constructor function such as `resourceAliCloudOssBucketAcl`. */
  resourceFromFunction(name: string): SdkResource {
    const { expr, file } = this.pkg.returnedExpression(name);
    return this.resource(expr, `${file}:${name}`);
  }

  /** Reads a provider's `Schema:` map from the composite literal returned by its constructor. */
  providerSchemaFromFunction(name: string): Record<string, SdkSchema> {
    const providerExpr = this.findProviderLiteral(name);
    const fields = this.fieldsOf(providerExpr, `provider ${name}`);
    const schema = fields.get('Schema');
    if (!schema) throw new Error(`provider ${name}: no Schema field`);
    return this.schemaMap(schema, `provider ${name}`);
  }

  /** The `map[string]*schema.Resource` literal of a provider field, e.g. ResourcesMap: name → constructor. */
  providerMapFromFunction(name: string, field: 'ResourcesMap' | 'DataSourcesMap'): Map<string, Expr> {
    const fields = this.fieldsOf(this.findProviderLiteral(name), `provider ${name}`);
    const map = fields.get(field);
    if (!map || map.k !== 'composite') throw new Error(`provider ${name}: no ${field} literal`);
    const out = new Map<string, Expr>();
    for (const el of map.elements) {
      if (!el.key || el.key.k !== 'string') throw new Error(`provider ${name}: ${field} has a non-string key`);
      out.set(el.key.value, el.value);
    }
    return out;
  }

  private findProviderLiteral(name: string): Expr {
    // Provider constructors assign `provider := &schema.Provider{...}` before configuring it, so the
    // literal is found by scanning the function rather than its return statement.
    const found = this.pkg.providerLiteral(name);
    return unwrapAddress(found);
  }

  resource(expr: Expr, where: string): SdkResource {
    if (expr.k === 'call') return this.resourceFromFunction(calleeName(expr, where));
    const fields = this.fieldsOf(unwrapAddress(expr), where);
    let schema: Record<string, SdkSchema> = {};
    let schemaVersion = 0;
    let timeouts: SdkResource['timeouts'] = [];
    let deprecationMessage = '';
    let description = '';
    for (const [key, value] of fields) {
      const at = `${where}.${key}`;
      if (key === 'Schema') schema = this.schemaMap(value, where);
      else if (key === 'SchemaVersion') schemaVersion = this.int(value, at);
      else if (key === 'Timeouts') timeouts = this.timeouts(value, at);
      else if (key === 'DeprecationMessage') deprecationMessage = this.string(value, at);
      else if (key === 'Description') description = this.string(value, at);
      else if (!IGNORED_RESOURCE_FIELDS.has(key)) throw new Error(`${at}: unsupported schema.Resource field ${key}`);
    }
    return { kind: 'resource', schema, schemaVersion, timeouts, deprecationMessage, description };
  }

  private schemaMap(expr: Expr, where: string): Record<string, SdkSchema> {
    if (expr.k === 'call') {
      const name = calleeName(expr, where);
      return this.schemaMap(this.pkg.returnedExpression(name).expr, `${where}>${name}`);
    }
    if (expr.k !== 'composite') throw new Error(`${where}: Schema is not a map literal`);
    const out: Record<string, SdkSchema> = {};
    for (const el of expr.elements) {
      if (!el.key || el.key.k !== 'string') throw new Error(`${where}: schema map key is not a string literal`);
      if (el.key.value in out) throw new Error(`${where}: duplicate attribute ${el.key.value}`);
      out[el.key.value] = this.schema(el.value, `${where}.${el.key.value}`);
    }
    return out;
  }

  schema(expr: Expr, where: string): SdkSchema {
    if (expr.k === 'call') {
      const name = calleeName(expr, where);
      if (expr.args.length > 0) throw new Error(`${where}: schema helper ${name} takes arguments; not supported`);
      return this.schema(this.pkg.returnedExpression(name).expr, `${where}>${name}`);
    }
    const fields = this.fieldsOf(unwrapAddress(expr), where);
    let type: SdkValueType | undefined;
    const s = {
      optional: false, required: false, computed: false, sensitive: false, deprecated: false, description: '',
      minItems: 0, maxItems: 0, configMode: 'auto' as SdkConfigMode, defaultFuncYieldsValue: false,
      conflictsWith: [] as string[], exactlyOneOf: [] as string[], atLeastOneOf: [] as string[], requiredWith: [] as string[],
    };
    let elem: SdkSchema['elem'];
    let validateFunc: Expr | undefined;
    let validateDiagFunc: Expr | undefined;
    for (const [key, value] of fields) {
      const at = `${where}.${key}`;
      switch (key) {
        case 'Type': type = this.valueType(value, at); break;
        case 'Optional': s.optional = this.bool(value, at); break;
        case 'Required': s.required = this.bool(value, at); break;
        case 'Computed': s.computed = this.bool(value, at); break;
        case 'Sensitive': s.sensitive = this.bool(value, at); break;
        case 'Deprecated': s.deprecated = this.string(value, at) !== ''; break;
        case 'Removed':
          if (this.string(value, at) !== '') throw new Error(`${at}: removed attributes are not supported`);
          break;
        case 'Description': s.description = this.string(value, at); break;
        case 'MinItems': s.minItems = this.int(value, at); break;
        case 'MaxItems': s.maxItems = this.int(value, at); break;
        case 'ConfigMode': s.configMode = this.configMode(value, at); break;
        case 'DefaultFunc': s.defaultFuncYieldsValue = this.defaultFuncYieldsValue(value, at); break;
        case 'Elem': elem = this.elem(value, at); break;
        case 'ValidateFunc': validateFunc = value; break;
        case 'ValidateDiagFunc': validateDiagFunc = value; break;
        case 'ConflictsWith': s.conflictsWith = this.stringList(value, at); break;
        case 'ExactlyOneOf': s.exactlyOneOf = this.stringList(value, at); break;
        case 'AtLeastOneOf': s.atLeastOneOf = this.stringList(value, at); break;
        case 'RequiredWith': s.requiredWith = this.stringList(value, at); break;
        default:
          if (!IGNORED_SCHEMA_FIELDS.has(key)) throw new Error(`${at}: unsupported schema.Schema field ${key}`);
      }
    }
    if (!type) throw new Error(`${where}: schema has no Type`);
    return { type, elem, ...s, ...(validateFunc ? { validateFunc } : {}), ...(validateDiagFunc ? { validateDiagFunc } : {}) };
  }

  private elem(expr: Expr, where: string): SdkSchema['elem'] {
    if (expr.k === 'name' && expr.path.length === 2 && expr.path[0] === 'schema') return this.valueType(expr, where);
    const inner = unwrapAddress(expr);
    if (inner.k === 'composite' && inner.type === 'schema.Resource') return this.resource(expr, where);
    if (inner.k === 'composite' && inner.type === 'schema.Schema') return this.schema(expr, where);
    if (expr.k === 'call') {
      const name = calleeName(expr, where);
      const returned = unwrapAddress(this.pkg.returnedExpression(name).expr);
      if (returned.k === 'composite' && returned.type === 'schema.Resource') return this.resourceFromFunction(name);
      if (returned.k === 'composite' && returned.type === 'schema.Schema') return this.schema(expr, where);
    }
    throw new Error(`${where}: Elem is neither a schema.Schema, a schema.Resource nor a value type`);
  }

  private timeouts(expr: Expr, where: string): SdkResource['timeouts'] {
    const fields = this.fieldsOf(unwrapAddress(expr), where);
    const out: ('create' | 'read' | 'update' | 'delete' | 'default')[] = [];
    for (const key of fields.keys()) {
      const lower = key.toLowerCase();
      if (lower !== 'create' && lower !== 'read' && lower !== 'update' && lower !== 'delete' && lower !== 'default') {
        throw new Error(`${where}: unknown timeout ${key}`);
      }
      out.push(lower);
    }
    return out;
  }

  private defaultFuncYieldsValue(expr: Expr, where: string): boolean {
    if (expr.k !== 'call') throw new Error(`${where}: DefaultFunc is not a call to a known helper`);
    const name = expr.fn.k === 'name' ? expr.fn.path.join('.') : '';
    if (name !== 'schema.EnvDefaultFunc' && name !== 'schema.MultiEnvDefaultFunc') {
      throw new Error(`${where}: DefaultFunc ${name || '(expression)'} cannot be evaluated statically`);
    }
    const fallback = expr.args[1];
    if (!fallback) throw new Error(`${where}: ${name} without a default value`);
    // With none of the environment variables set, the helper returns its default value.
    return !(fallback.k === 'name' && fallback.path.length === 1 && fallback.path[0] === 'nil');
  }

  private fieldsOf(expr: Expr, where: string): Map<string, Expr> {
    if (expr.k !== 'composite') throw new Error(`${where}: expected a composite literal, found ${expr.k}`);
    const out = new Map<string, Expr>();
    for (const el of expr.elements as Element[]) {
      if (!el.key || el.key.k !== 'name' || el.key.path.length !== 1) throw new Error(`${where}: composite literal field without a name`);
      out.set(el.key.path[0], el.value);
    }
    return out;
  }

  private valueType(expr: Expr, where: string): SdkValueType {
    if (expr.k === 'name' && expr.path.length === 2 && expr.path[0] === 'schema') {
      const t = expr.path[1] as SdkValueType;
      if (VALUE_TYPES.includes(t)) return t;
    }
    throw new Error(`${where}: not a schema value type`);
  }

  private configMode(expr: Expr, where: string): SdkConfigMode {
    const name = expr.k === 'name' ? expr.path.join('.') : '';
    if (name === 'schema.SchemaConfigModeAttr') return 'attr';
    if (name === 'schema.SchemaConfigModeBlock') return 'block';
    if (name === 'schema.SchemaConfigModeAuto') return 'auto';
    throw new Error(`${where}: unknown ConfigMode ${name}`);
  }

  /** A `[]string{...}` literal of string expressions. */
  stringList(expr: Expr, where: string): string[] {
    if (expr.k !== 'composite' || expr.type !== '[]string') throw new Error(`${where}: expected a []string literal`);
    return expr.elements.map((el, i) => {
      if (el.key) throw new Error(`${where}: keyed element in a []string literal`);
      return this.string(el.value, `${where}[${i}]`);
    });
  }

  private bool(expr: Expr, where: string): boolean {
    if (expr.k === 'name' && expr.path.length === 1 && (expr.path[0] === 'true' || expr.path[0] === 'false')) {
      return expr.path[0] === 'true';
    }
    throw new Error(`${where}: expected a boolean literal`);
  }

  int(expr: Expr, where: string): number {
    if (expr.k === 'number' && /^[0-9]+$/.test(expr.text)) return Number(expr.text);
    if (expr.k === 'unary' && expr.op === '-') return -this.int(expr.x, where);
    if (expr.k === 'name' && expr.path.length === 1) return this.int(this.pkg.constantValue(expr.path[0]), `${where}>${expr.path[0]}`);
    throw new Error(`${where}: expected an integer literal`);
  }

  string(expr: Expr, where: string): string {
    switch (expr.k) {
      case 'string':
        return expr.value;
      case 'binary':
        if (expr.op === '+') return this.string(expr.x, where) + this.string(expr.y, where);
        break;
      case 'index':
        if (expr.x.k === 'name' && expr.x.path.length === 1) {
          const key = this.string(expr.index, where);
          const map = this.pkg.mapVariable(expr.x.path[0]);
          if (map.k !== 'composite') break;
          const hit = map.elements.find((el) => el.key?.k === 'string' && el.key.value === key);
          // A Go map lookup of a missing key yields the zero value.
          return hit ? this.string(hit.value, where) : '';
        }
        break;
      case 'name':
        if (expr.path.length === 1) return this.string(this.pkg.constantValue(expr.path[0]), `${where}>${expr.path[0]}`);
        break;
      default:
        break;
    }
    throw new Error(`${where}: expected a string expression, found ${expr.k}`);
  }
}

function unwrapAddress(expr: Expr): Expr {
  return expr.k === 'unary' && expr.op === '&' ? expr.x : expr;
}

function calleeName(expr: Expr & { k: 'call' }, where: string): string {
  if (expr.fn.k === 'name' && expr.fn.path.length === 1) return expr.fn.path[0];
  throw new Error(`${where}: call to a non-local function cannot be evaluated`);
}
