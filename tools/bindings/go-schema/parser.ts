/**
 * A parser for Go expressions as they appear in terraform-plugin-sdk schema declarations:
 * composite literals, selectors, calls, index expressions, string concatenation and function
 * literals (whose bodies are skipped, because they never change the reported schema).
 */
import { Token } from './lexer';

export interface Element {
  readonly key?: Expr;
  readonly value: Expr;
}

export type Expr =
  | { readonly k: 'string'; readonly value: string; readonly line: number }
  | { readonly k: 'number'; readonly text: string; readonly line: number }
  | { readonly k: 'rune'; readonly text: string; readonly line: number }
  | { readonly k: 'name'; readonly path: readonly string[]; readonly line: number }
  | { readonly k: 'unary'; readonly op: string; readonly x: Expr; readonly line: number }
  | { readonly k: 'binary'; readonly op: string; readonly x: Expr; readonly y: Expr; readonly line: number }
  | { readonly k: 'call'; readonly fn: Expr; readonly args: readonly Expr[]; readonly line: number }
  | { readonly k: 'index'; readonly x: Expr; readonly index: Expr; readonly line: number }
  | { readonly k: 'selector'; readonly x: Expr; readonly name: string; readonly line: number }
  | { readonly k: 'composite'; readonly type?: string; readonly elements: readonly Element[]; readonly line: number }
  | { readonly k: 'type'; readonly type: string; readonly line: number }
  | { readonly k: 'funclit'; readonly line: number };

export class GoParseError extends Error {}

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2,
  '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3,
  '+': 4, '-': 4, '|': 4, '^': 4,
  '*': 5, '/': 5, '%': 5, '<<': 5, '>>': 5, '&': 5, '&^': 5,
};

/** Parses one expression starting at `pos`; `end` is the index just past it. */
export class ExprParser {
  pos: number;

  constructor(private readonly tokens: readonly Token[], start: number, private readonly fileName: string) {
    this.pos = start;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private fail(msg: string): never {
    const t = this.peek() ?? this.tokens[this.tokens.length - 1];
    throw new GoParseError(`${this.fileName}:${t?.line ?? '?'}: ${msg}`);
  }

  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === 'op' && t.text === text;
  }

  expect(text: string): void {
    if (!this.isOp(text)) this.fail(`expected '${text}', found '${this.peek()?.text ?? 'end of file'}'`);
    this.pos++;
  }

  /** Skips a balanced bracket group that starts at the current token. */
  skipBalanced(): void {
    const open = this.peek()?.text;
    const close = open === '(' ? ')' : open === '[' ? ']' : open === '{' ? '}' : undefined;
    if (!close || !open) this.fail(`expected a bracket, found '${open}'`);
    let depth = 0;
    do {
      const t = this.peek();
      if (!t) this.fail(`unbalanced '${open}'`);
      if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
      if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--;
      this.pos++;
    } while (depth > 0);
  }

  parseExpr(minPrec = 1): Expr {
    let x = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'op') return x;
      const prec = BINARY_PRECEDENCE[t.text];
      if (prec === undefined || prec < minPrec) return x;
      this.pos++;
      const y = this.parseExpr(prec + 1);
      x = { k: 'binary', op: t.text, x, y, line: t.line };
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t && t.kind === 'op' && ['&', '-', '+', '!', '^', '*', '<-'].includes(t.text)) {
      this.pos++;
      return { k: 'unary', op: t.text, x: this.parseUnary(), line: t.line };
    }
    return this.parsePostfix(this.parseOperand());
  }

  private parseOperand(): Expr {
    const t = this.peek();
    if (!t) this.fail('unexpected end of file in expression');
    switch (t.kind) {
      case 'string':
        this.pos++;
        return { k: 'string', value: t.text, line: t.line };
      case 'number':
        this.pos++;
        return { k: 'number', text: t.text, line: t.line };
      case 'rune':
        this.pos++;
        return { k: 'rune', text: t.text, line: t.line };
      case 'ident':
        if (t.text === 'func') return this.parseFuncLit();
        if (t.text === 'map' || t.text === 'chan' || t.text === 'struct' || t.text === 'interface') {
          return { k: 'type', type: this.parseType(), line: t.line };
        }
        this.pos++;
        return { k: 'name', path: [t.text], line: t.line };
      case 'op':
        if (t.text === '(') {
          this.pos++;
          const inner = this.parseExpr();
          this.expect(')');
          return inner;
        }
        if (t.text === '[') return { k: 'type', type: this.parseType(), line: t.line };
        if (t.text === '{') return this.parseCompositeBody(undefined, t.line);
        return this.fail(`unexpected '${t.text}' in expression`);
      default:
        return this.fail(`unexpected token '${t.text}'`);
    }
  }

  private parsePostfix(start: Expr): Expr {
    let x = start;
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'op') return x;
      if (t.text === '.') {
        if (this.isOp('(', 1)) {
          // type assertion x.(T): the asserted type does not matter here
          this.pos++;
          this.skipBalanced();
          continue;
        }
        const name = this.peek(1);
        if (!name || name.kind !== 'ident') this.fail('expected a name after "."');
        this.pos += 2;
        x = x.k === 'name' ? { k: 'name', path: [...x.path, name.text], line: x.line } : { k: 'selector', x, name: name.text, line: t.line };
        continue;
      }
      if (t.text === '(') {
        this.pos++;
        const args: Expr[] = [];
        while (!this.isOp(')')) {
          args.push(this.parseExpr());
          if (this.isOp('...')) this.pos++;
          if (this.isOp(',')) this.pos++;
          else if (!this.isOp(')')) this.fail("expected ',' or ')' in call arguments");
        }
        this.pos++;
        x = { k: 'call', fn: x, args, line: t.line };
        continue;
      }
      if (t.text === '[') {
        this.pos++;
        const index = this.parseExpr();
        if (this.isOp(':')) this.fail('slice expressions are not supported in schema declarations');
        this.expect(']');
        x = { k: 'index', x, index, line: t.line };
        continue;
      }
      if (t.text === '{' && (x.k === 'name' || x.k === 'type')) {
        const typeName = x.k === 'name' ? x.path.join('.') : x.type;
        x = this.parseCompositeBody(typeName, t.line);
        continue;
      }
      return x;
    }
  }

  private parseCompositeBody(type: string | undefined, line: number): Expr {
    this.expect('{');
    const elements: Element[] = [];
    while (!this.isOp('}')) {
      const first = this.parseExpr();
      if (this.isOp(':')) {
        this.pos++;
        elements.push({ key: first, value: this.parseExpr() });
      } else {
        elements.push({ value: first });
      }
      if (this.isOp(',')) this.pos++;
      else if (!this.isOp('}')) this.fail(`expected ',' or '}' in composite literal, found '${this.peek()?.text}'`);
    }
    this.pos++;
    return { k: 'composite', type, elements, line };
  }

  private parseFuncLit(): Expr {
    const line = this.peek()!.line;
    this.pos++; // func
    this.skipBalanced(); // parameters
    this.skipResultType();
    this.skipBalanced(); // body
    return { k: 'funclit', line };
  }

  /** Skips a function result list: nothing, a parenthesized list, or a single type. */
  skipResultType(): void {
    if (this.isOp('{')) return;
    if (this.isOp('(')) {
      this.skipBalanced();
      return;
    }
    this.parseType();
  }

  parseType(): string {
    const t = this.peek();
    if (!t) this.fail('unexpected end of file in type');
    if (t.kind === 'op' && t.text === '*') {
      this.pos++;
      return `*${this.parseType()}`;
    }
    if (t.kind === 'op' && t.text === '[') {
      this.pos++;
      let len = '';
      while (!this.isOp(']')) {
        len += this.peek()?.text ?? '';
        this.pos++;
      }
      this.pos++;
      return `[${len}]${this.parseType()}`;
    }
    if (t.kind === 'ident' && t.text === 'map') {
      this.pos++;
      this.expect('[');
      const key = this.parseType();
      this.expect(']');
      return `map[${key}]${this.parseType()}`;
    }
    if (t.kind === 'ident' && (t.text === 'interface' || t.text === 'struct')) {
      this.pos++;
      const start = this.pos;
      this.skipBalanced();
      return `${t.text}{${this.tokens.slice(start + 1, this.pos - 1).map((x) => x.text).join(' ')}}`;
    }
    if (t.kind === 'ident' && t.text === 'func') {
      this.pos++;
      this.skipBalanced();
      if (this.isOp('(')) this.skipBalanced();
      else if (this.peek()?.kind === 'ident' || this.isOp('*') || this.isOp('[')) this.parseType();
      return 'func';
    }
    if (t.kind === 'ident' && t.text === 'chan') {
      this.pos++;
      return `chan ${this.parseType()}`;
    }
    if (t.kind === 'ident') {
      this.pos++;
      let name = t.text;
      while (this.isOp('.') && this.peek(1)?.kind === 'ident') {
        name += `.${this.peek(1)!.text}`;
        this.pos += 2;
      }
      return name;
    }
    return this.fail(`unexpected '${t.text}' in type`);
  }
}
