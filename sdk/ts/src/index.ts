// The Openvest TypeScript SDK: openapi-fetch over the types that
// `make generate` writes to gen/ts/openapi.d.ts (openapi-typescript), with a
// thin layer that does what every call needs: a bearer token from
// POST /v1/oauth/token (fetched on first use and renewed before it expires),
// Authorization and X-Client-Id, a fresh X-Idempotency-Key on every
// mutation, Content-Digest over the exact body bytes, and, with a signer,
// an RFC 9421 ed25519 signature (or the investing docs' form).
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { randomUUID } from "node:crypto";
import type { components, paths } from "../../../gen/ts/openapi.js";
import { Signer, contentDigest, type SignerOptions } from "./signing.js";

export type { components, paths, operations } from "../../../gen/ts/openapi.js";
export { Signer, contentDigest, requiredComponents, signatureBase } from "./signing.js";
export type { SignatureForm, SignerOptions, SignableRequest } from "./signing.js";

type HTTPMethod = "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace";

/** The headers the SDK sets itself; callers may still pass them (a chosen idempotency key, say). */
type Managed = "Signature" | "Signature-Input" | "Content-Digest" | "X-Idempotency-Key" | "X-Client-Id" | "Authorization";

type HeaderOf<P> = P extends { header?: infer H } ? NonNullable<H> : never;
type Relaxed<H> = Omit<H, Managed> & Partial<Pick<H, Extract<keyof H, Managed>>>;
type RelaxOperation<O> = O extends { parameters: infer P }
  ? [HeaderOf<P>] extends [never]
    ? O
    : Omit<O, "parameters"> & {
        parameters: Omit<P, "header"> &
          ({} extends Relaxed<HeaderOf<P>> ? { header?: Relaxed<HeaderOf<P>> } : { header: Relaxed<HeaderOf<P>> });
      }
  : O;

/**
 * The generated paths with the headers the SDK manages made optional, so
 * that `client.POST("/v1/customers", { body })` needs no header at all.
 */
export type OpenvestPaths = {
  [P in keyof paths]: { [M in keyof paths[P]]: M extends HTTPMethod ? RelaxOperation<paths[P][M]> : paths[P][M] };
};

export type OpenvestClient = Client<OpenvestPaths, "application/json">;

export interface OpenvestOptions {
  /** The server, as in http://localhost:8080 (no trailing /v1: the paths carry it). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Sign every request (required for organizations whose signature policy is `required`). */
  signer?: Signer | SignerOptions;
  /** Send no X-Idempotency-Key by itself (default false: a fresh UUID on every mutation). */
  noIdempotencyKey?: boolean;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
}

/** The answer of POST /v1/oauth/token. */
export type Token = components["schemas"]["TokenResponse"];

/** Mutations get an idempotency key; the token and revoke calls do not take one. */
function wantsIdempotencyKey(method: string, path: string): boolean {
  return ["POST", "PUT", "PATCH", "DELETE"].includes(method.toUpperCase()) && !/\/oauth\/(token|revoke)$/.test(path);
}

/** Thrown when the token call fails; status and body are the server's answer. */
export class TokenError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`POST /v1/oauth/token answered ${status}: ${body}`);
    this.name = "TokenError";
  }
}

/** The SDK: `api` is the typed openapi-fetch client; `token()` the current bearer token. */
export interface Openvest {
  api: OpenvestClient;
  token(): Promise<string>;
  signer?: Signer;
}

/** Builds an Openvest client. */
export function createOpenvest(o: OpenvestOptions): Openvest {
  const baseFetch = o.fetch ?? globalThis.fetch;
  const signer = o.signer === undefined ? undefined : o.signer instanceof Signer ? o.signer : new Signer(o.signer);
  const base = o.baseUrl.replace(/\/+$/, "");

  // prepare adds the digest and signature to a request about to be sent.
  async function prepare(request: Request): Promise<Request> {
    const body = request.body === null ? undefined : new Uint8Array(await request.clone().arrayBuffer());
    const headers = new Headers(request.headers);
    if (body && body.byteLength > 0 && !headers.get("content-digest")) headers.set("content-digest", contentDigest(body));
    signer?.sign({ method: request.method, url: request.url, headers, body });
    return new Request(request.url, { method: request.method, headers, body, signal: request.signal, redirect: request.redirect });
  }

  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  async function fetchToken(): Promise<string> {
    const form = new URLSearchParams({ clientId: o.clientId, clientSecret: o.clientSecret }).toString();
    const req = await prepare(
      new Request(`${base}/v1/oauth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: form,
      }),
    );
    const res = await baseFetch(req);
    const text = await res.text();
    if (res.status !== 200 && res.status !== 201) throw new TokenError(res.status, text);
    const t = JSON.parse(text) as Token;
    // Renew a little before the server's expiry (expiresIn is in seconds).
    current = { token: t.token, renewAt: Date.now() + Math.max(0, t.expiresIn - 30) * 1000 };
    return t.token;
  }
  async function token(): Promise<string> {
    if (current && Date.now() < current.renewAt) return current.token;
    pending ??= fetchToken().finally(() => (pending = undefined));
    return pending;
  }

  const auth: Middleware = {
    async onRequest({ request }) {
      const url = new URL(request.url);
      request.headers.set("Authorization", `Bearer ${await token()}`);
      request.headers.set("X-Client-Id", o.clientId);
      if (!o.noIdempotencyKey && wantsIdempotencyKey(request.method, url.pathname) && !request.headers.get("x-idempotency-key")) {
        request.headers.set("X-Idempotency-Key", randomUUID());
      }
      return prepare(request);
    },
  };
  const api = createClient<OpenvestPaths, "application/json">({ baseUrl: base, fetch: baseFetch });
  api.use(auth);
  return { api, token, signer };
}
