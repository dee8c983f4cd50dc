/**
 * The Tablestore transport's HTTP/1.1 client: POST requests over keep-alive connections (plain TCP or TLS, the
 * certificate verified), one request at a time per connection. A response framed by Content-Length is read into
 * one buffer of that size as it arrives; chunked and read-until-close bodies (RFC 9112 §6.3) are gathered.
 *
 * Why not node:http: per 223 KB GetStreamRecord page it cost about 1.3 ms of main-thread CPU and 0.35 ms of other
 * threads' against 0.9 and 0.1 ms here (same pages, same loopback server): its parser copies every body chunk
 * into a new buffer and hands it through two streams and their events before the transport can gather it.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface Http1Response {
  readonly status: number;
  /** Lower-cased names; a repeated header keeps its first value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

export interface Http1PoolOptions {
  /** The origin: http(s)://host[:port]; the path is ignored. */
  readonly url: URL;
  /** Connections open at once; more requests wait for one (default 16). */
  readonly maxSockets?: number;
  /** Extra TLS options for https origins (a private CA); the server's certificate is always verified. */
  readonly tls?: Pick<tls.ConnectionOptions, 'ca'>;
}

/** The server answered something that is not an HTTP/1.x response this client can read. */
export class HttpProtocolError extends Error {
  readonly code = 'HTTP_PROTOCOL';
  constructor(message: string) {
    super(message);
    this.name = 'HttpProtocolError';
  }
}

/** No byte moved on the connection for the request's timeout. */
export class HttpTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no response within ${timeoutMs} ms`);
    this.name = 'HttpTimeoutError';
  }
}

/** Largest response header section, node:http's default. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Largest response body accepted (a Content-Length beyond it is refused before anything is allocated). */
const MAX_BODY_BYTES = 1024 * 1024 * 1024;
/** Longest chunk-size or trailer line of a chunked body. */
const MAX_LINE_BYTES = 4096;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Header values this client sends: visible ASCII, space and tab (no CR, LF or NUL that could split a header). */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
const CRLF2 = Buffer.from('\r\n\r\n');

type Resolve = (r: Http1Response) => void;
type Reject = (e: Error) => void;

export class Http1Pool {
  private readonly secure: boolean;
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  private readonly maxSockets: number;
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: Array<(c: Connection) => void> = [];
  private closed = false;
  private tlsSession: Buffer | undefined;

  constructor(private readonly options: Http1PoolOptions) {
    const url = options.url;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`Http1Pool: ${url.protocol} is not http: or https:`);
    this.secure = url.protocol === 'https:';
    this.host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    this.port = url.port ? Number(url.port) : this.secure ? 443 : 80;
    this.hostHeader = url.host;
    this.maxSockets = options.maxSockets ?? 16;
    if (!(Number.isInteger(this.maxSockets) && this.maxSockets >= 1)) throw new RangeError(`maxSockets must be an integer >= 1, got ${this.maxSockets}`);
  }

  /**
   * Sends POST `path` with `headers` (Host and Content-Length are added) and `body`; resolves with the whole
   * response. Rejects with the socket's error, HttpProtocolError or HttpTimeoutError (`timeoutMs` without a byte).
   */
  post(path: string, headers: Readonly<Record<string, string | number>>, body: Buffer, timeoutMs: number): Promise<Http1Response> {
    if (this.closed) return Promise.reject(new Error('Http1Pool is closed'));
    let head = `POST ${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nContent-Length: ${body.length}\r\n`;
    for (const name of Object.keys(headers)) {
      const value = String(headers[name]);
      if (!TOKEN.test(name)) throw new TypeError(`invalid HTTP header name "${name}"`);
      if (!FIELD_VALUE.test(value)) throw new TypeError(`header ${name} has a character HTTP/1.1 cannot carry (only visible ASCII, space and tab)`);
      head += `${name}: ${value}\r\n`;
    }
    head += '\r\n';
    return new Promise<Http1Response>((resolve, reject) => {
      const send = (c: Connection): void => c.send(head, body, timeoutMs, resolve, reject);
      let reused = this.idle.pop();
      // The server may have closed an idle connection ('end' seen, 'close' not yet): do not write to it.
      while (reused !== undefined && !(reused.socket.readable && reused.socket.writable)) {
        this.discard(reused);
        reused = this.idle.pop();
      }
      if (reused !== undefined) {
        reused.socket.ref();
        send(reused);
      } else if (this.all.size < this.maxSockets) {
        send(this.connect());
      } else {
        this.waiting.push(send);
      }
    });
  }

  /** Closes every connection; requests in flight fail. */
  close(): void {
    this.closed = true;
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
    const waiting = this.waiting.splice(0);
    for (const send of waiting) send(this.connect());
  }

  /** The connection finished an exchange and can carry another. */
  release(c: Connection): void {
    const next = this.waiting.shift();
    if (next !== undefined) {
      next(c);
      return;
    }
    c.socket.unref();
    this.idle.push(c);
  }

  /** The connection is closed or unusable. */
  discard(c: Connection): void {
    if (!this.all.delete(c)) return;
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    c.socket.destroy();
    const next = this.waiting.shift();
    if (next !== undefined) next(this.connect());
  }

  private connect(): Connection {
    let socket: net.Socket;
    if (this.secure) {
      // A new connection resumes the latest TLS session (as node:https's agent does): no full handshake each time the
      // server closes a keep-alive connection.
      const tlsSocket = tls.connect({
        host: this.host, port: this.port, servername: net.isIP(this.host) ? undefined : this.host, session: this.tlsSession, ...this.options.tls,
      });
      tlsSocket.on('session', (session: Buffer) => (this.tlsSession = session));
      socket = tlsSocket;
    } else {
      socket = net.connect({ host: this.host, port: this.port });
    }
    const c = new Connection(this, socket);
    // After close(), a connection is made only to fail the request given to it.
    if (this.closed) socket.destroy();
    else this.all.add(c);
    return c;
  }
}

/** One socket and the exchange in progress on it. */
class Connection {
  private exchange: { parser: ResponseParser; written: boolean; resolve: Resolve; reject: Reject } | null = null;

  constructor(
    private readonly pool: Http1Pool,
    readonly socket: net.Socket,
  ) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(Object.assign(new Error('connection closed before the response ended'), { code: 'ECONNRESET' })));
    socket.on('timeout', () => this.fail(new HttpTimeoutError(socket.timeout ?? 0)));
  }

  send(head: string, body: Buffer, timeoutMs: number, resolve: Resolve, reject: Reject): void {
    const exchange = { parser: new ResponseParser(), written: false, resolve, reject };
    this.exchange = exchange;
    if (this.socket.destroyed) {
      this.fail(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' }));
      return;
    }
    this.socket.setTimeout(timeoutMs);
    this.socket.cork();
    this.socket.write(head, 'latin1');
    this.socket.write(body, (err) => {
      if (!err) exchange.written = true;
    });
    this.socket.uncork();
  }

  private onData(chunk: Buffer): void {
    const ex = this.exchange;
    if (ex === null) {
      // Bytes nobody asked for: the connection's state is unknown.
      this.pool.discard(this);
      return;
    }
    try {
      ex.parser.push(chunk);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (ex.parser.done) this.complete(ex.parser.reusable && ex.written);
  }

  private onEnd(): void {
    const ex = this.exchange;
    if (ex !== null && ex.parser.endOfInput()) this.complete(false);
    // Otherwise 'close' follows and fails the exchange.
  }

  private complete(reusable: boolean): void {
    const ex = this.exchange!;
    this.exchange = null;
    this.socket.setTimeout(0);
    if (reusable) this.pool.release(this);
    else this.pool.discard(this);
    ex.resolve(ex.parser.response());
  }

  private fail(err: Error): void {
    const ex = this.exchange;
    this.exchange = null;
    this.pool.discard(this);
    ex?.reject(err);
  }
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Done,
}

/** Incremental HTTP/1.x response parser (one response; bytes after it make the connection unusable). */
class ResponseParser {
  done = false;
  reusable = false;
  private state = State.Head;
  private status = 0;
  private headers = new Map<string, string>();
  private pending: Buffer | null = null;
  private body: Buffer | null = null;
  private filled = 0;
  private remaining = 0;
  private readonly chunks: Buffer[] = [];
  private gathered = 0;

  push(chunk: Buffer): void {
    let buf = chunk;
    let pos = 0;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    while (pos < buf.length) {
      switch (this.state) {
        case State.Head: {
          const end = buf.indexOf(CRLF2, pos);
          if (end < 0) return this.keep(buf, pos, MAX_HEADER_BYTES, 'response header section');
          this.head(buf.toString('latin1', pos, end));
          pos = end + 4;
          break;
        }
        case State.Length: {
          const n = Math.min(this.remaining, buf.length - pos);
          buf.copy(this.body!, this.filled, pos, pos + n);
          this.filled += n;
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.finish();
          break;
        }
        case State.ChunkSize: {
          const eol = buf.indexOf('\r\n', pos, 'latin1');
          if (eol < 0) return this.keep(buf, pos, MAX_LINE_BYTES, 'chunk size line');
          const line = buf.toString('latin1', pos, eol);
          pos = eol + 2;
          const size = /^([0-9A-Fa-f]{1,8})[ \t]*(;.*)?$/.exec(line);
          if (size === null) throw new HttpProtocolError(`invalid chunk size line "${line.slice(0, 40)}"`);
          this.remaining = parseInt(size[1], 16);
          if (this.gathered + this.remaining > MAX_BODY_BYTES) throw new HttpProtocolError(`response body exceeds ${MAX_BODY_BYTES} bytes`);
          this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
          break;
        }
        case State.ChunkData: {
          const n = Math.min(this.remaining, buf.length - pos);
          this.gather(buf.subarray(pos, pos + n));
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.state = State.ChunkEnd;
          break;
        }
        case State.ChunkEnd: {
          if (buf.length - pos < 2) return this.keep(buf, pos, 2, 'chunk end');
          if (buf[pos] !== 0x0d || buf[pos + 1] !== 0x0a) throw new HttpProtocolError('chunk data not followed by CRLF');
          pos += 2;
          this.state = State.ChunkSize;
          break;
        }
        case State.Trailers: {
          const eol = buf.indexOf('\r\n', pos, 'latin1');
          if (eol < 0) return this.keep(buf, pos, MAX_LINE_BYTES, 'trailer line');
          const empty = eol === pos;
          pos = eol + 2;
          if (empty) this.finish();
          break;
        }
        case State.UntilClose:
          this.gather(buf.subarray(pos));
          pos = buf.length;
          break;
        case State.Done:
          // More bytes than the response framed: never reuse this connection.
          this.reusable = false;
          return;
      }
    }
  }

  /** The server closed its side: true when that ends the response (a body read until close). */
  endOfInput(): boolean {
    if (this.state !== State.UntilClose) return this.done;
    this.finish();
    return true;
  }

  response(): Http1Response {
    return { status: this.status, headers: this.headers, body: this.body ?? (this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.gathered)) };
  }

  private keep(buf: Buffer, pos: number, limit: number, what: string): void {
    if (buf.length - pos > limit) throw new HttpProtocolError(`${what} longer than ${limit} bytes`);
    this.pending = buf.subarray(pos);
  }

  private gather(part: Buffer): void {
    if (part.length === 0) return;
    this.gathered += part.length;
    if (this.gathered > MAX_BODY_BYTES) throw new HttpProtocolError(`response body exceeds ${MAX_BODY_BYTES} bytes`);
    this.chunks.push(part);
  }

  private finish(): void {
    this.state = State.Done;
    this.done = true;
  }

  /** Status line and header fields; then how the body is framed (RFC 9112 §6.3). */
  private head(text: string): void {
    const lines = text.split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\r\n]*)?$/.exec(lines[0]);
    if (statusLine === null) throw new HttpProtocolError(`invalid status line "${lines[0].slice(0, 60)}"`);
    const status = Number(statusLine[2]);
    const headers = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (!TOKEN.test(name) || /[\r\n\0]/.test(line)) throw new HttpProtocolError(`invalid header line "${line.slice(0, 60)}"`);
      const key = name.toLowerCase();
      const value = line.slice(colon + 1).trim();
      const before = headers.get(key);
      if (before === undefined) headers.set(key, value);
      else if (key === 'content-length' && before !== value) throw new HttpProtocolError(`conflicting Content-Length headers (${before}, ${value})`);
    }
    if (status < 200) {
      // An interim response (100 Continue, 103 Early Hints): the final one follows. Upgrades were never asked for.
      if (status === 101) throw new HttpProtocolError('unexpected 101 Switching Protocols');
      return;
    }
    this.status = status;
    this.headers = headers;
    const connection = (headers.get('connection') ?? '').toLowerCase();
    this.reusable = statusLine[1] === '1' && !/(^|,)\s*close\s*(,|$)/.test(connection);
    const te = headers.get('transfer-encoding');
    const cl = headers.get('content-length');
    if (status === 204 || status === 304) {
      this.body = Buffer.alloc(0);
      this.finish();
    } else if (te !== undefined) {
      // Transfer-Encoding wins over Content-Length; a connection that carried both is not reused.
      if (cl !== undefined) this.reusable = false;
      const codings = te.toLowerCase().split(',');
      if (codings[codings.length - 1].trim() === 'chunked') this.state = State.ChunkSize;
      else this.untilClose();
    } else if (cl !== undefined) {
      if (!/^\d{1,10}$/.test(cl)) throw new HttpProtocolError(`invalid Content-Length "${cl.slice(0, 20)}"`);
      const length = Number(cl);
      if (length > MAX_BODY_BYTES) throw new HttpProtocolError(`response body of ${length} bytes exceeds ${MAX_BODY_BYTES}`);
      this.body = Buffer.allocUnsafe(length);
      this.remaining = length;
      this.state = State.Length;
      if (length === 0) this.finish();
    } else {
      this.untilClose();
    }
  }

  private untilClose(): void {
    this.reusable = false;
    this.state = State.UntilClose;
  }
}
