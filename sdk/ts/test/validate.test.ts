// The response check the live tests rely on has teeth.
import { it } from "node:test";
import assert from "node:assert/strict";
import { check } from "./validate.js";

const base = "http://127.0.0.1:1";
const json = "application/json";

it("accepts a response that matches the spec", () => {
  const body = JSON.stringify({ code: 401, message: "missing bearer token" });
  assert.equal(check("GET", `${base}/v1/customers`, 401, json, body), undefined);
});

it("refuses an undocumented status, a body of the wrong shape and an unknown operation", () => {
  assert.match(check("GET", `${base}/v1/customers`, 418, json, "{}") ?? "", /does not document/);
  assert.match(check("GET", `${base}/v1/customers`, 200, json, JSON.stringify({ code: 200, message: "Success" })) ?? "", /required/);
  assert.match(check("GET", `${base}/v1/webhooks/key`, 200, json, JSON.stringify({ code: 200, data: { keys: "no" }, message: "Success" })) ?? "", /webhooks\/key/);
  assert.match(check("GET", `${base}/v1/nothing`, 200, json, "{}") ?? "", /not an operation/);
});
