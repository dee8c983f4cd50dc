/**
 * Evaluates an attribute's `ValidateFunc` / `ValidateDiagFunc` expression into the checks it performs
 * (provider-rules.ts `ValueRule`). Recognised: the terraform-plugin-sdk `validation` helpers the provider uses, the
 * provider's own wrappers of the same names in validators.go (same checks; they only add the
 * TF_SKIP_RESOURCE_SCHEMA_VALIDATION switch that turns errors into warnings), and provider functions whose whole
 * body is one of a few fixed shapes (one regexp match, one `time.Parse`, one `strconv.ParseInt`). Anything else is
 * an error naming the attribute: a rule is never guessed.
 */
import type { ValueRule } from '../../../lib/bindings/provider-rules';
import { Token } from './lexer';
import { GoPackageSource } from './package-source';
import { Expr } from './parser';
import { SdkSchemaReader } from './sdk-schema';

/** Helpers with the SDK `validation` package's meaning; the provider declares wrappers of most of these names. */
const HELPERS = new Set(['StringInSlice', 'StringMatch', 'StringLenBetween', 'IntBetween', 'IntAtLeast', 'StringIsJSON', 'All', 'ToDiagFunc']);

/**
 * Constants of Go packages outside the provider that its validators list. Values from
 * github.com/aliyun/aliyun-oss-go-sdk `oss/const.go` (v2.2.9+incompatible, the provider's go.mod at 1.289.0).
 */
const EXTERNAL_CONSTANTS: Readonly<Record<string, string>> = {
  'oss.StorageStandard': 'Standard',
  'oss.StorageIA': 'IA',
  'oss.StorageArchive': 'Archive',
  'oss.StorageColdArchive': 'ColdArchive',
  'oss.StorageDeepColdArchive': 'DeepColdArchive',
  'oss.RedundancyLRS': 'LRS',
  'oss.RedundancyZRS': 'ZRS',
};

/** `errors = append(errors, fmt.Errorf(...))` with any message arguments (no braces inside). */
const APPEND_ERROR = 'errors = append \\( errors , fmt \\. Errorf \\( [^{}]*? \\) \\)';
const GO_STRING = '("(?:[^"\\\\]|\\\\.)*")';

/** Whole-body shapes of provider validator functions, over tokens joined by spaces (strings JSON-quoted). */
const BODY_SHAPES: ReadonlyArray<{ readonly shape: RegExp; readonly rule: (literal: string) => ValueRule }> = [
  {
    shape: new RegExp(`^value := v \\. \\( string \\) reg := regexp \\. MustCompile \\( ${GO_STRING} \\) if ! reg \\. MatchString \\( value \\) \\{ ${APPEND_ERROR} \\} return$`),
    rule: (pattern) => ({ kind: 'match', pattern }),
  },
  {
    shape: new RegExp(`^value := v \\. \\( string \\) _ , err := time \\. Parse \\( ${GO_STRING} , value \\) if err != nil \\{ ${APPEND_ERROR} \\} return$`),
    rule: (layout) => ({ kind: 'time-layout', layout }),
  },
  {
    shape: new RegExp(
      '^return func \\( v interface \\{ \\} , k string \\) \\( ws \\[ \\] string , errors \\[ \\] error \\) \\{ ' +
        'if value , ok := v \\. \\( string \\) ; ok \\{ _ , err := strconv \\. ParseInt \\( value , 10 , 64 \\) ' +
        `if err != nil \\{ ${APPEND_ERROR} \\} \\} else \\{ ${APPEND_ERROR} \\} return \\}$`,
    ),
    rule: () => ({ kind: 'int64-string' }),
  },
];

export class ValidatorReader {
  constructor(private readonly pkg: GoPackageSource, private readonly reader: SdkSchemaReader) {}

  /** The checks `expr` (a ValidateFunc or ValidateDiagFunc value) performs. */
  rules(expr: Expr, where: string): ValueRule[] {
    if (expr.k === 'name') {
      const helper = this.helperName(expr.path, where);
      if (helper === 'StringIsJSON') return [{ kind: 'json' }];
      if (helper === undefined && expr.path.length === 1) return [this.functionBody(expr.path[0], where)];
    }
    if (expr.k === 'call' && expr.fn.k === 'name') {
      const helper = this.helperName(expr.fn.path, where);
      const args = expr.args;
      const arity = (n: number): void => {
        if (args.length !== n) throw new Error(`${where}: ${expr.fn.k === 'name' ? expr.fn.path.join('.') : ''} with ${args.length} arguments`);
      };
      switch (helper) {
        case 'StringInSlice':
          arity(2);
          return [{ kind: 'one-of', values: this.stringList(args[0], where), ignore_case: this.boolLiteral(args[1], where) }];
        case 'StringMatch':
          arity(2);
          return [{ kind: 'match', pattern: this.mustCompile(args[0], where) }];
        case 'StringLenBetween':
          arity(2);
          return [{ kind: 'length', min: this.reader.int(args[0], where), max: this.reader.int(args[1], where) }];
        case 'IntBetween':
          arity(2);
          return [{ kind: 'int-between', min: this.reader.int(args[0], where), max: this.reader.int(args[1], where) }];
        case 'IntAtLeast':
          arity(1);
          return [{ kind: 'int-at-least', min: this.reader.int(args[0], where) }];
        case 'All':
          return args.flatMap((a, i) => this.rules(a, `${where}.All[${i}]`));
        case 'ToDiagFunc':
          arity(1);
          return this.rules(args[0], where);
        case undefined:
          if (expr.fn.path.length === 1 && args.length === 0) return [this.functionBody(expr.fn.path[0], where)];
          break;
        default:
          break;
      }
    }
    throw new Error(`${where}: ValidateFunc ${describe(expr)} is not modelled; add it to go-schema/validators.ts`);
  }

  /** `validation.X` or the provider's own `X` wrapper; undefined for any other name. */
  private helperName(path: readonly string[], where: string): string | undefined {
    if (path.length === 2 && path[0] === 'validation') {
      if (!HELPERS.has(path[1])) throw new Error(`${where}: validation.${path[1]} is not modelled; add it to go-schema/validators.ts`);
      return path[1];
    }
    if (path.length === 1 && HELPERS.has(path[0])) {
      if (!this.pkg.declaresFunction(path[0])) throw new Error(`${where}: ${path[0]} is neither declared by the provider nor qualified`);
      return path[0];
    }
    return undefined;
  }

  private functionBody(name: string, where: string): ValueRule {
    const { tokens, file } = this.pkg.functionBody(name);
    const text = normalize(tokens);
    for (const { shape, rule } of BODY_SHAPES) {
      const m = shape.exec(text);
      if (m) return rule(m[1] !== undefined ? (JSON.parse(m[1]) as string) : '');
    }
    throw new Error(`${where}: validator ${name} (${file}) does not have a shape go-schema/validators.ts recognises`);
  }

  /** A `[]string{...}` literal whose elements may be `string(<external constant>)` conversions. */
  private stringList(expr: Expr, where: string): string[] {
    if (expr.k !== 'composite' || expr.type !== '[]string') throw new Error(`${where}: expected a []string literal`);
    return expr.elements.map((el, i) => this.stringValue(el.value, `${where}[${i}]`));
  }

  private stringValue(expr: Expr, where: string): string {
    // Conversions: string(x), or to one of the provider's string types, e.g. InstanceAccessedByType("Any").
    if (expr.k === 'call' && expr.fn.k === 'name' && expr.fn.path.length === 1 && expr.args.length === 1 &&
      (expr.fn.path[0] === 'string' || this.pkg.declaresStringType(expr.fn.path[0]))) {
      return this.stringValue(expr.args[0], where);
    }
    if (expr.k === 'name' && expr.path.length === 1) return this.stringValue(this.pkg.constantValue(expr.path[0]), `${where}>${expr.path[0]}`);
    if (expr.k === 'name' && expr.path.length === 2) {
      const value = EXTERNAL_CONSTANTS[expr.path.join('.')];
      if (value === undefined) throw new Error(`${where}: constant ${expr.path.join('.')} of another package is not in EXTERNAL_CONSTANTS`);
      return value;
    }
    return this.reader.string(expr, where);
  }

  private mustCompile(expr: Expr, where: string): string {
    if (expr.k === 'call' && expr.fn.k === 'name' && expr.fn.path.join('.') === 'regexp.MustCompile' && expr.args.length === 1) {
      return this.reader.string(expr.args[0], where);
    }
    throw new Error(`${where}: StringMatch without a regexp.MustCompile(<string>) argument`);
  }

  private boolLiteral(expr: Expr, where: string): boolean {
    if (expr.k === 'name' && expr.path.length === 1 && (expr.path[0] === 'true' || expr.path[0] === 'false')) return expr.path[0] === 'true';
    throw new Error(`${where}: expected a boolean literal`);
  }
}

function normalize(tokens: readonly Token[]): string {
  return tokens.map((t) => (t.kind === 'string' ? JSON.stringify(t.text) : t.text)).join(' ');
}

function describe(expr: Expr): string {
  if (expr.k === 'name') return expr.path.join('.');
  if (expr.k === 'call') return `${describe(expr.fn)}(…)`;
  return `(${expr.k} expression)`;
}
