// RFC 9530 Content-Digest and RFC 9421 HTTP message signatures (ed25519),
// as the Openvest investing API verifies them (httpsig/ in this repository):
// the covered components are the ones the API demands for the request, and
// two forms are offered, ed25519 over the signature base (RFC 9421) and
// ed25519 over the sha-512 of the base (the investing docs' description),
// with component names lowercase (RFC 9421) or capitalised (the docs).
import { createHash, createPrivateKey, sign, type KeyObject } from "node:crypto";

/** How the ed25519 signature relates to the signature base. */
export type SignatureForm = "rfc9421" | "sha512";

export interface SignerOptions {
  /** The key id registered with `openvest org add-key --key-id`. */
  keyId: string;
  /** The ed25519 private key: a KeyObject or PKCS#8 PEM (`openssl genpkey -algorithm ed25519`). */
  privateKey: KeyObject | string;
  /** "rfc9421" (default) signs the base; "sha512" signs its sha-512, as the investing docs say. */
  form?: SignatureForm;
  /** Write header names capitalised as the investing docs do ("Content-Type"); default lowercase. */
  docsNames?: boolean;
  /** Seconds until the signature expires (default 60). */
  ttlSeconds?: number;
  /** The signature label (default "sig1"). */
  label?: string;
  /** The clock, for tests (default Date.now). */
  now?: () => number;
}

/** What a signature covers: the request as it will be sent. */
export interface SignableRequest {
  method: string;
  url: string;
  headers: Headers;
  /** The exact body bytes, if any. */
  body?: Uint8Array;
}

/** The Content-Digest header value of body with sha-512: `sha-512=:<base64>:`. */
export function contentDigest(body: Uint8Array): string {
  return `sha-512=:${createHash("sha512").update(body).digest("base64")}:`;
}

const tokenPath = /\/oauth\/token$/;

/**
 * The components the API demands a signature cover (httpsig.RequiredComponents):
 * `@method`, `@target-uri`, `@path` always; `@query` on GET and DELETE;
 * Content-Type, Content-Digest and Content-Length with a body; Authorization
 * and X-Client-Id except on the token call; the idempotency key header when sent.
 */
export function requiredComponents(method: string, hasBody: boolean, token: boolean, headers: Headers): string[] {
  const out = ["@method", "@target-uri", "@path"];
  const m = method.toUpperCase();
  if (m === "GET" || m === "DELETE") out.push("@query");
  if (hasBody) out.push("content-type", "content-digest", "content-length");
  if (!token) out.push("authorization", "x-client-id");
  for (const h of ["x-idempotency-key", "idempotency-key"]) {
    if (headers.get(h)) out.push(h);
  }
  return out;
}

/** "x-client-id" → "X-Client-Id", as Go's http.CanonicalHeaderKey writes it. */
function canonical(name: string): string {
  return name
    .split("-")
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p))
    .join("-");
}

function componentValue(req: SignableRequest, url: URL, name: string): string {
  switch (name) {
    case "@method":
      return req.method.toUpperCase();
    case "@target-uri":
      return url.href;
    case "@path":
      return url.pathname || "/";
    case "@query":
      return "?" + url.search.replace(/^\?/, "");
    case "content-length":
      return String(req.body?.byteLength ?? 0);
  }
  const v = req.headers.get(name);
  if (v === null) throw new Error(`cannot sign: the request has no ${name} header to cover`);
  return v.trim();
}

/** The signature base (RFC 9421 §2.5) and the Signature-Input value of one signature. */
export function signatureBase(
  req: SignableRequest,
  components: string[],
  params: { created: number; expires?: number; keyId: string },
  docsNames = false,
): { base: string; signatureParams: string } {
  const url = new URL(req.url);
  const names = components.map((c) => (docsNames && !c.startsWith("@") ? canonical(c) : c));
  let meta = `;created=${params.created}`;
  if (params.expires !== undefined) meta += `;expires=${params.expires}`;
  meta += `;keyid=${JSON.stringify(params.keyId)}`;
  const signatureParams = `(${names.map((n) => JSON.stringify(n)).join(" ")})${meta}`;
  const lines = names.map((n) => `${JSON.stringify(n)}: ${componentValue(req, url, n.toLowerCase())}`);
  lines.push(`"@signature-params": ${signatureParams}`);
  return { base: lines.join("\n"), signatureParams };
}

/** Signs requests with one ed25519 key. */
export class Signer {
  readonly keyId: string;
  readonly form: SignatureForm;
  readonly docsNames: boolean;
  private readonly key: KeyObject;
  private readonly ttl: number;
  private readonly label: string;
  private readonly now: () => number;

  constructor(o: SignerOptions) {
    this.keyId = o.keyId;
    this.key = typeof o.privateKey === "string" ? createPrivateKey(o.privateKey) : o.privateKey;
    if (this.key.asymmetricKeyType !== "ed25519") {
      throw new Error(`the key is ${this.key.asymmetricKeyType}; only ed25519 keys are supported`);
    }
    this.form = o.form ?? "rfc9421";
    this.docsNames = o.docsNames ?? false;
    this.ttl = o.ttlSeconds ?? 60;
    this.label = o.label ?? "sig1";
    this.now = o.now ?? Date.now;
  }

  /**
   * Sets Content-Digest (when there is a body and none is set),
   * Signature-Input and Signature on req.headers. req.body must be the
   * exact bytes that will be sent.
   */
  sign(req: SignableRequest): void {
    const hasBody = (req.body?.byteLength ?? 0) > 0;
    if (hasBody && !req.headers.get("content-digest")) {
      req.headers.set("content-digest", contentDigest(req.body!));
    }
    const token = tokenPath.test(new URL(req.url).pathname);
    const components = requiredComponents(req.method, hasBody, token, req.headers);
    const created = Math.floor(this.now() / 1000);
    const { base, signatureParams } = signatureBase(
      req,
      components,
      { created, expires: this.ttl >= 0 ? created + this.ttl : undefined, keyId: this.keyId },
      this.docsNames,
    );
    let msg: Buffer = Buffer.from(base, "utf8");
    if (this.form === "sha512") msg = createHash("sha512").update(msg).digest();
    const signature = sign(null, msg, this.key).toString("base64");
    req.headers.set("signature-input", `${this.label}=${signatureParams}`);
    req.headers.set("signature", `${this.label}=:${signature}:`);
  }
}
