// A fetch that checks every response against the bundled spec, as the Go
// tests' internal/apitest does: a status the operation does not document,
// or a JSON body that does not match its schema, makes the call throw.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { parse } from "yaml";
import { repo } from "./server.js";

type Json = Record<string, any>;

interface ResponseValidator {
  validateResponse(status: number, body: unknown): { errors: unknown[] } | undefined;
}
// A CommonJS package (exports.default): loaded with require.
const { default: OpenAPIResponseValidator } = createRequire(import.meta.url)("openapi-response-validator") as {
  default: new (args: { responses: Json; components: Json }) => ResponseValidator;
};

interface Route {
  method: string;
  pattern: RegExp;
  path: string;
  operation: Json;
}

const spec = parse(readFileSync(join(repo, "gen", "spec", "openapi.yaml"), "utf8")) as Json;
const methods = ["get", "put", "post", "delete", "patch"];

const params = (path: string) => path.split("{").length - 1;

const routes: Route[] = Object.entries(spec.paths as Json).flatMap(([path, item]) =>
  methods
    .filter((m) => item[m])
    .map((m) => ({
      method: m.toUpperCase(),
      path,
      // A literal segment wins over a parameter (/v1/webhooks/key before /v1/webhooks/{webhookId}).
      pattern: new RegExp("^" + path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+") + "$"),
      operation: item[m] as Json,
    })),
).sort((a, b) => params(a.path) - params(b.path));

function resolve(ref: Json): Json {
  if (typeof ref.$ref !== "string") return ref;
  return (ref.$ref as string)
    .replace(/^#\//, "")
    .split("/")
    .reduce((o: Json, k: string) => o[k], spec);
}

const validators = new Map<Route, ResponseValidator>();

/** Checks one response; returns what is wrong, or undefined. */
export function check(method: string, url: string, status: number, contentType: string, body: string): string | undefined {
  const path = new URL(url).pathname;
  const route = routes.find((r) => r.method === method && r.pattern.test(path));
  if (!route) return `${method} ${path} is not an operation of the spec`;
  const responses = Object.fromEntries(Object.entries(route.operation.responses as Json).map(([code, r]) => [code, resolve(r as Json)]));
  if (!(String(status) in responses) && !("default" in responses)) {
    return `${method} ${route.path} answered ${status}, which the spec does not document (${Object.keys(responses).join(", ")})`;
  }
  if (!contentType.includes("json") || body === "") return undefined;
  let v = validators.get(route);
  if (!v) {
    v = new OpenAPIResponseValidator({ responses, components: spec.components });
    validators.set(route, v);
  }
  const errors = v.validateResponse(status, JSON.parse(body));
  return errors ? `${method} ${route.path} ${status}: ${JSON.stringify(errors.errors)}\nbody: ${body}` : undefined;
}

/** fetch, with every response checked against the spec. */
export const validatingFetch: typeof fetch = async (input, init) => {
  const req = new Request(input, init);
  const res = await fetch(req);
  const body = await res.clone().text();
  const problem = check(req.method, req.url, res.status, res.headers.get("content-type") ?? "", body);
  if (problem) throw new Error(`the response does not match the spec: ${problem}`);
  return res;
};
