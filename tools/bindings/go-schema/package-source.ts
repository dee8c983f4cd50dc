/**
 * Read access to one Go package directory of a provider checkout: finds top-level functions
 * and package-level map variables by name, and parses their Go expressions on demand.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Token, tokenize } from './lexer';
import { Expr, ExprParser, GoParseError } from './parser';

export class GoPackageSource {
  private readonly files = new Map<string, string>();
  private readonly tokenCache = new Map<string, Token[]>();

  constructor(readonly dir: string) {
    const names = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
      .sort();
    if (names.length === 0) throw new Error(`no Go source files in ${dir}`);
    for (const name of names) this.files.set(name, fs.readFileSync(path.join(dir, name), 'utf8'));
  }

  private tokensOf(file: string): Token[] {
    let tokens = this.tokenCache.get(file);
    if (!tokens) {
      tokens = tokenize(this.files.get(file)!, file);
      this.tokenCache.set(file, tokens);
    }
    return tokens;
  }

  /** Files that contain a line matching `pattern`, in sorted order. */
  private filesMatching(pattern: RegExp): string[] {
    return [...this.files.entries()].filter(([, text]) => pattern.test(text)).map(([name]) => name);
  }

  /**
   * The expression returned by the top-level function `name`. Only functions whose body is a
   * single `return <expr>` are supported: anything else is reported, never guessed.
   */
  returnedExpression(name: string): { expr: Expr; file: string } {
    const { file, tokens, at } = this.functionDeclaration(name);
    const parser = new ExprParser(tokens, at + 2, file);
    parser.skipBalanced(); // parameters
    parser.skipResultType();
    parser.expect('{');
    const first = tokens[parser.pos];
    if (!first || first.kind !== 'ident' || first.text !== 'return') {
      throw new GoParseError(
        `${file}:${first?.line ?? '?'}: function ${name} does not start with a return statement; its schema cannot be read statically`,
      );
    }
    parser.pos++;
    const expr = parser.parseExpr();
    return { expr, file };
  }

  /** The tokens of the body of top-level function `name`, without its braces, and its file. */
  functionBody(name: string): { tokens: Token[]; file: string } {
    const { file, tokens, at } = this.functionDeclaration(name);
    const parser = new ExprParser(tokens, at + 2, file);
    parser.skipBalanced(); // parameters
    parser.skipResultType();
    const open = parser.pos;
    parser.skipBalanced(); // body
    return { tokens: tokens.slice(open + 1, parser.pos - 1), file };
  }

  /** Whether the package declares `type <name> string` (so `name("x")` is a conversion to a string type). */
  declaresStringType(name: string): boolean {
    return this.filesMatching(new RegExp(`^type ${escapeRegExp(name)} string$`, 'm')).length === 1;
  }

  /** Whether the package declares top-level function `name`. */
  declaresFunction(name: string): boolean {
    return this.filesMatching(new RegExp(`^func ${escapeRegExp(name)}\\(`, 'm')).length === 1;
  }

  /** The first `&schema.Provider{...}` literal inside the top-level function `name`. */
  providerLiteral(name: string): Expr {
    const { file, tokens, at: start } = this.functionDeclaration(name);
    const at = tokens.findIndex(
      (t, i) =>
        i > start && t.text === '&' && tokens[i + 1]?.text === 'schema' && tokens[i + 2]?.text === '.' &&
        tokens[i + 3]?.text === 'Provider' && tokens[i + 4]?.text === '{',
    );
    if (at < 0) throw new Error(`function ${name}: no &schema.Provider{...} literal in ${file}`);
    return new ExprParser(tokens, at, file).parseExpr();
  }

  /** The one file declaring top-level function `name`, its tokens, and the index of its `func` token. */
  private functionDeclaration(name: string): { file: string; tokens: Token[]; at: number } {
    const decl = new RegExp(`^func ${escapeRegExp(name)}\\(`, 'm');
    const matches = this.filesMatching(decl);
    if (matches.length !== 1) {
      throw new Error(`function ${name}: expected exactly one declaration in ${this.dir}, found ${matches.length}`);
    }
    const file = matches[0];
    const tokens = this.tokensOf(file);
    const at = tokens.findIndex(
      (t, i) => t.kind === 'ident' && t.text === 'func' && tokens[i + 1]?.text === name && tokens[i + 2]?.text === '(',
    );
    if (at < 0) throw new Error(`function ${name}: declaration not found in ${file}`);
    return { file, tokens, at };
  }

  /** The composite literal assigned to a package-level map variable, e.g. `descriptions = map[string]string{...}`. */
  mapVariable(name: string): Expr {
    const assign = new RegExp(`^\\s*${escapeRegExp(name)}\\s*=\\s*map\\[`, 'm');
    const matches = this.filesMatching(assign);
    if (matches.length !== 1) {
      throw new Error(`map variable ${name}: expected exactly one assignment in ${this.dir}, found ${matches.length}`);
    }
    const file = matches[0];
    const tokens = this.tokensOf(file);
    const at = tokens.findIndex(
      (t, i) => t.kind === 'ident' && t.text === name && tokens[i + 1]?.text === '=' && tokens[i + 2]?.text === 'map',
    );
    if (at < 0) throw new Error(`map variable ${name}: assignment not found in ${file}`);
    const parser = new ExprParser(tokens, at + 2, file);
    return parser.parseExpr();
  }

  /** The value expression of a package-level constant `name` (in a `const` block or a single `const`). */
  constantValue(name: string): Expr {
    const decl = new RegExp(`^\\s*(?:const\\s+)?${escapeRegExp(name)}(?:\\s+[A-Za-z_.]+)?\\s*=`, 'm');
    for (const file of this.filesMatching(decl)) {
      const tokens = this.tokensOf(file);
      let depth = 0;
      let inConst = false;
      for (let i = 0; i < tokens.length; i++) {
        const t = tokens[i];
        if (t.kind === 'op' && (t.text === '{' || t.text === '(')) depth++;
        if (t.kind === 'op' && (t.text === '}' || t.text === ')')) {
          depth--;
          if (depth === 0) inConst = false;
        }
        if (depth === 0 && t.kind === 'ident' && t.text === 'const') {
          inConst = true;
          if (tokens[i + 1]?.text === name) return this.constAt(tokens, i + 1, file, name);
        }
        if (inConst && depth === 1 && t.kind === 'ident' && t.text === name && tokens[i - 1]?.line !== t.line) {
          return this.constAt(tokens, i, file, name);
        }
      }
    }
    throw new Error(`constant ${name}: no package-level declaration found in ${this.dir}`);
  }

  private constAt(tokens: Token[], at: number, file: string, name: string): Expr {
    let i = at + 1;
    while (tokens[i] && tokens[i].text !== '=' && tokens[i].line === tokens[at].line) i++;
    if (!tokens[i] || tokens[i].text !== '=') throw new Error(`constant ${name} in ${file} has no explicit value`);
    return new ExprParser(tokens, i + 1, file).parseExpr();
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
