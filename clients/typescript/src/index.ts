/**
 * Roster's TypeScript client: `schema.ts` is generated from the server's `/openapi.json`
 * by openapi-typescript (clients/generate.sh; do not edit it), calls go through
 * openapi-fetch typed by it, and this file is the thin layer over them: answers or typed
 * errors, cursor pages to the end, and bulks of any size sent as requests of 100 with
 * `Idempotency-Key`s, so that a script stopped half way can run again and create nothing
 * twice.
 *
 *     const roster = new Roster({ baseUrl: "http://127.0.0.1:8080", key: "rk_..." });
 *     const { client } = roster;
 *     for await (const user of roster.each((cursor) =>
 *       client.GET("/instances/{instance}/users", { params: { path: { instance: "acme" }, query: { cursor } } }),
 *     )) console.log(user.username);
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type * from "./schema.js";

type Schemas = components["schemas"];

/** One entry of `errors`: `field` and `index` where they apply. */
export type Problem = Schemas["ErrorEntry"];

/** The envelopes whose primary objects are whole (every always-written field present). */
export type WholeEnvelope =
  | Schemas["UserEnvelope"]
  | Schemas["GroupEnvelope"]
  | Schemas["MembershipEnvelope"]
  | Schemas["BarrierEnvelope"]
  | Schemas["ApiKeyEnvelope"]
  | Schemas["InstanceEnvelope"];

/** The answer of an operation without `fields=`: of an `anyOf` of a whole envelope and
 * its `fields=` envelope, the whole one. */
export type Whole<D> = [Extract<D, WholeEnvelope>] extends [never] ? D : Extract<D, WholeEnvelope>;

/** The primary objects of an envelope type: `User` of `UserEnvelope`. */
export type Primary<E> = E extends { results: { key: infer K }[] }
  ? K extends keyof E
    ? NonNullable<E[K]> extends { [id: string]: infer O }
      ? O
      : never
    : never
  : never;

/** What an openapi-fetch call resolves to. */
export interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The answer of a 2xx: nothing for a 204. */
type Data<T extends FetchResult> = [Exclude<T["data"], undefined>] extends [never]
  ? undefined
  : Exclude<T["data"], undefined>;

/** An answer other than 2xx; `problems` has at least one entry. */
export class RosterError extends Error {
  readonly status: number;
  readonly problems: Problem[];
  readonly headers: Headers;

  constructor(status: number, problems: Problem[], headers: Headers) {
    const shown = problems.slice(0, 3).map(describe).join("; ");
    const more = problems.length > 3 ? `; and ${problems.length - 3} more` : "";
    super(`${status} ${shown}${more}`);
    this.name = new.target.name;
    this.status = status;
    this.problems = problems;
    this.headers = headers;
  }

  /** The first problem (the only one but for a refused bulk). */
  get problem(): Problem {
    return this.problems[0] as Problem;
  }

  get type(): Problem["type"] {
    return this.problem.type;
  }
}

function describe(p: Problem): string {
  const field = p.field === undefined ? "" : ` (field ${p.field})`;
  const index = p.index === undefined ? "" : ` (index ${p.index})`;
  return `${p.type}: ${p.message}${field}${index}`;
}

/** 400: a bad query parameter, a body that is not JSON, an unknown include. */
export class BadRequest extends RosterError {}
/** 401: no key, an unknown key or a revoked key. */
export class Unauthorized extends RosterError {}
/** 403: the key may see the resource but not do this. */
export class Forbidden extends RosterError {}
/** 404: no such instance or object, or not visible to this key. */
export class NotFound extends RosterError {}
/** 409: a request with the same Idempotency-Key is still being processed. */
export class Conflict extends RosterError {}
/** 413: the body is over the server's limit. */
export class PayloadTooLarge extends RosterError {}
/** 422: invalid, missing_reference, duplicate, forbidden_by_policy, too_many or
 * idempotency_mismatch; nothing was written. */
export class Unprocessable extends RosterError {}
/** 429: too many requests. */
export class RateLimited extends RosterError {
  /** The server's Retry-After, in seconds. */
  get retryAfter(): number | undefined {
    const value = Number(this.headers.get("retry-after"));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  }
}
/** 5xx: 503 unavailable (nothing was written) or 500 internal. */
export class ServerError extends RosterError {}

/** A request of `Roster.bulk` was refused. Its problems index into the whole list given
 * to `bulk`; `done` holds the answers of the requests written before it (each request
 * is all or nothing, so these stay written), `cause` the request's own error. */
export class BulkError<D = unknown> extends RosterError {
  override readonly cause: RosterError;
  readonly offset: number;
  readonly done: D[];

  constructor(cause: RosterError, offset: number, done: D[]) {
    const shifted = cause.problems.map((p) =>
      p.index === undefined ? p : { ...p, index: p.index + offset },
    );
    super(cause.status, shifted, cause.headers);
    this.cause = cause;
    this.offset = offset;
    this.done = done;
  }
}

const BY_STATUS: Record<number, typeof RosterError> = {
  400: BadRequest,
  401: Unauthorized,
  403: Forbidden,
  404: NotFound,
  409: Conflict,
  413: PayloadTooLarge,
  422: Unprocessable,
  429: RateLimited,
};

function isProblems(error: unknown): error is { errors: Problem[] } {
  const errors = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0;
}

/** The typed error of an answer. */
export function errorFrom(response: Response, error: unknown): RosterError {
  const problems: Problem[] = isProblems(error)
    ? error.errors
    : [{ type: "internal", message: `HTTP ${response.status}: ${String(error).slice(0, 200)}` }];
  const Kind = BY_STATUS[response.status] ?? (response.status >= 500 ? ServerError : RosterError);
  return new Kind(response.status, problems, response.headers);
}

/** The primary objects of an envelope, in the order of `results`. */
export function objects<E extends { results: { key: string; id: string }[] }>(envelope: E): Primary<E>[] {
  const maps = envelope as unknown as Record<string, Record<string, Primary<E>>>;
  return envelope.results.map((r) => {
    const object = maps[r.key]?.[r.id];
    if (object === undefined) throw new TypeError(`results names ${r.key} ${r.id}, which is not in the envelope`);
    return object;
  });
}

/** The most objects one request may carry (API.md §4). */
export const MAX_BULK = 100;

/** Answers worth the same request again, after a pause: the same Idempotency-Key still
 * running (409), too many requests (429), the database unreachable (503). */
const RETRY_STATUSES = new Set([409, 429, 503]);

export interface RosterOptions {
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** An API key (rk_...), sent as X-API-KEY. */
  key: string;
  /** How many more times `pages`, `each` and `bulk` send a request answered 409, 429
   * or 503 or lost on the way (default 5), with exponential backoff and jitter. */
  retries?: number;
  fetch?: (input: Request) => Promise<Response>;
}

export interface BulkOptions {
  /** The start of each request's Idempotency-Key (default "bulk"): give a run's own name
   * to create the same objects again within the server's 24 hours, or when the same
   * objects go with other parameters. */
  key?: string;
  /** Objects a request, 1 to 100 (default 100). */
  size?: number;
}

export class Roster {
  /** The openapi-fetch client, typed by the description. */
  readonly client: Client<paths>;
  readonly retries: number;

  constructor(options: RosterOptions) {
    this.client = createClient<paths>({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      headers: { "X-API-KEY": options.key },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.retries = options.retries ?? 5;
  }

  /** The answer of a call without `fields=` (whole objects), or its typed error. */
  async ok<T extends FetchResult>(call: Promise<T>): Promise<Whole<Data<T>>> {
    const result = await call;
    const url = result.response.url;
    if (url && new URL(url).searchParams.has("fields")) {
      throw new TypeError("an answer to fields= has only the fields asked for: read it with partial()");
    }
    return this.partial(Promise.resolve(result)) as Promise<Whole<Data<T>>>;
  }

  /** The answer of any call, `fields=` ones included (whole or `Fields` envelopes), or
   * its typed error. */
  async partial<T extends FetchResult>(call: Promise<T>): Promise<Data<T>> {
    const { data, error, response } = await call;
    if (!response.ok) throw errorFrom(response, error);
    return data as Data<T>;
  }

  /** A call that may be sent again (a read, or a write with an Idempotency-Key). */
  private async retried<T extends FetchResult>(send: () => Promise<T>): Promise<Whole<Data<T>>> {
    for (let attempt = 0; ; attempt++) {
      let wait: number | undefined;
      try {
        return await this.ok(send());
      } catch (e) {
        const again =
          attempt < this.retries &&
          ((e instanceof RosterError && RETRY_STATUSES.has(e.status)) ||
            (e instanceof TypeError && /fetch failed/.test(e.message)));
        if (!again) throw e;
        if (e instanceof RateLimited) wait = e.retryAfter;
      }
      const backoff = Math.min(30, 0.2 * 2 ** attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, (wait ?? backoff) * 1000));
    }
  }

  /** Every page of a list, from the first to the last, by `meta.next_cursor` (the same
   * cost at any depth): `page` makes the call for a cursor (undefined: the first page). */
  async *pages<T extends FetchResult>(
    page: (cursor: string | undefined) => Promise<T>,
  ): AsyncGenerator<Whole<Data<T>>, void, undefined> {
    let cursor: string | undefined;
    for (;;) {
      const envelope = await this.retried(() => page(cursor));
      yield envelope;
      const next = (envelope as { meta?: { next_cursor?: string | null } }).meta?.next_cursor;
      if (next === null || next === undefined) return;
      cursor = next;
    }
  }

  /** Every primary object of a list, in order, page after page. */
  async *each<T extends FetchResult>(
    page: (cursor: string | undefined) => Promise<T>,
  ): AsyncGenerator<Primary<Whole<Data<T>>>, void, undefined> {
    for await (const envelope of this.pages(page)) {
      yield* objects(envelope as { results: { key: string; id: string }[] }) as Primary<Whole<Data<T>>>[];
    }
  }

  /**
   * Creates any number of objects, `size` (at most 100) a request, each request all or
   * nothing: `send` makes the request for a chunk with its Idempotency-Key. Each key is
   * `<key>-<n>-<digest of the chunk>`, so the same call made again (after a crash, a
   * timeout, a refused chunk fixed) replays the requests that were written and sends the
   * others. A refused request throws `BulkError`, whose problems index into `items`.
   */
  async bulk<I, T extends FetchResult>(
    items: readonly I[],
    send: (chunk: I[], idempotencyKey: string) => Promise<T>,
    options: BulkOptions = {},
  ): Promise<Whole<Data<T>>[]> {
    const size = options.size ?? MAX_BULK;
    if (!(size >= 1 && size <= MAX_BULK)) throw new RangeError(`size must be 1 to ${MAX_BULK}`);
    const done: Whole<Data<T>>[] = [];
    for (let n = 0, start = 0; start < items.length; n++, start += size) {
      const chunk = items.slice(start, start + size);
      const label = `${options.key ?? "bulk"}-${n}-${(await sha256(JSON.stringify(chunk))).slice(0, 16)}`;
      try {
        done.push(await this.retried(() => send(chunk, label)));
      } catch (e) {
        if (e instanceof RosterError) throw new BulkError(e, start, done);
        throw e;
      }
    }
    return done;
  }
}

async function sha256(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
