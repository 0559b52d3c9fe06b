// The SDK against the real binary: a sandbox organization whose signature
// policy is `required`, with a key registered through the CLI, driven
// across the three surfaces with signed requests in both forms.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { createOpenvest, Signer, TokenError, type Openvest } from "../src/index.js";
import { signedOrganization, startServer, type Organization, type Server } from "./server.js";
import { validatingFetch } from "./validate.js";

let server: Server;
let org: Organization;
let sdk: Openvest; // RFC 9421, lowercase names
let docs: Openvest; // the docs' form: sha-512 of the base, capitalised names

before(async () => {
  server = await startServer();
  org = await signedOrganization(server, "SDK Fintech");
  // Every response of the tests is checked against the spec.
  const common = { baseUrl: server.baseUrl, clientId: org.clientId, clientSecret: org.clientSecret, fetch: validatingFetch };
  sdk = createOpenvest({ ...common, signer: { keyId: org.keyId, privateKey: org.privateKey } });
  docs = createOpenvest({ ...common, signer: { keyId: org.keyId, privateKey: org.privateKey, form: "sha512", docsNames: true } });
});

after(async () => {
  await server?.stop();
});

/** Polls until check returns a value, for at most ms milliseconds. */
async function eventually<T>(ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms}ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("investing", () => {
  it("creates, gets and lists a customer", async () => {
    const created = await sdk.api.POST("/v1/customers", { body: { firstName: "Jane", lastName: "Banda", referenceId: "sdk-0001" } });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    const id = created.data!.data.customerId;
    assert.equal(created.data!.data.status, "ACTIVE");

    const got = await docs.api.GET("/v1/customers/{customerId}", { params: { path: { customerId: id } } });
    assert.equal(got.response.status, 200, JSON.stringify(got.error));
    assert.equal(got.data!.data.firstName, "Jane");

    const list = await sdk.api.GET("/v1/customers", { params: { query: { referenceId: "sdk-0001" } } });
    assert.equal(list.response.status, 200, JSON.stringify(list.error));
    assert.deepEqual(
      list.data!.data.map((c) => c.customerId),
      [id],
    );
    assert.equal(list.data!.meta.totalCount, 1);
  });

  it("buys a share through a purchase request that completes", async () => {
    const customer = await docs.api.POST("/v1/customers", { body: { firstName: "Mwila", lastName: "Phiri" } });
    assert.equal(customer.response.status, 201, JSON.stringify(customer.error));
    const customerId = customer.data!.data.customerId;
    const aapl = await sdk.api.GET("/v1/instruments/{symbol}", { params: { path: { symbol: "AAPL" } } });
    assert.equal(aapl.response.status, 200, JSON.stringify(aapl.error));
    const bought = await docs.api.POST("/v1/requests/purchase", {
      body: { customerId, currency: "ZMW", instrumentId: aapl.data!.data.instrumentId, purchaseAmount: 500 },
    });
    assert.equal(bought.response.status, 201, JSON.stringify(bought.error));
    const requestId = bought.data!.data.requestId;
    const settled = await eventually(20_000, async () => {
      const r = await sdk.api.GET("/v1/requests/{requestId}", { params: { path: { requestId } } });
      assert.equal(r.response.status, 200, JSON.stringify(r.error));
      return r.data!.data.status === "PENDING" ? undefined : r.data!.data;
    });
    assert.equal(settled.status, "COMPLETED");
    const assets = await sdk.api.GET("/v1/assets", { params: { query: { customerId } } });
    assert.equal(assets.response.status, 200, JSON.stringify(assets.error));
    assert.equal(assets.data!.data.length, 1);
    assert.equal(assets.data!.data[0]!.symbol, "AAPL");
    assert.ok(assets.data!.data[0]!.quantity > 0);
  });

  it("replays a mutation sent again with the same idempotency key", async () => {
    const key = crypto.randomUUID();
    const body = { firstName: "Chanda", lastName: "Mulenga" };
    const first = await sdk.api.POST("/v1/customers", { body, params: { header: { "X-Idempotency-Key": key } } });
    assert.equal(first.response.status, 201, JSON.stringify(first.error));
    assert.equal(first.response.headers.get("Idempotent-Replayed"), null);
    const again = await docs.api.POST("/v1/customers", { body, params: { header: { "X-Idempotency-Key": key } } });
    assert.equal(again.response.status, 201, JSON.stringify(again.error));
    assert.equal(again.response.headers.get("Idempotent-Replayed"), "true");
    assert.equal(again.data!.data.customerId, first.data!.data.customerId);
    // Without a key of the caller's own, every mutation gets a fresh one: a new customer each time.
    const other = await sdk.api.POST("/v1/customers", { body });
    assert.equal(other.response.status, 201, JSON.stringify(other.error));
    assert.notEqual(other.data!.data.customerId, first.data!.data.customerId);
  });
});

describe("signatures", () => {
  it("refuses a request signed with a key other than the registered one", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const forged = createOpenvest({
      baseUrl: server.baseUrl,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      signer: new Signer({ keyId: org.keyId, privateKey }),
      fetch: validatingFetch,
    });
    await assert.rejects(forged.token(), (e: unknown) => e instanceof TokenError && e.status === 401 && /does not verify/.test(e.body));
  });

  it("refuses an unsigned request and a body that does not match its digest", async () => {
    const token = await sdk.token();
    const body = JSON.stringify({ firstName: "Eve", lastName: "Unsigned" });
    const headers = {
      Authorization: `Bearer ${token}`,
      "X-Client-Id": org.clientId,
      "X-Idempotency-Key": crypto.randomUUID(),
      "Content-Type": "application/json",
    };
    const unsigned = await validatingFetch(`${server.baseUrl}/v1/customers`, { method: "POST", headers, body: body });
    assert.equal(unsigned.status, 400, await unsigned.text()); // no Content-Digest, which the policy demands first

    // Sign one body, send another.
    const signedHeaders = new Headers(headers);
    sdk.signer!.sign({ method: "POST", url: `${server.baseUrl}/v1/customers`, headers: signedHeaders, body: new TextEncoder().encode(body) });
    const tampered = await validatingFetch(`${server.baseUrl}/v1/customers`, {
      method: "POST",
      headers: signedHeaders,
      body: body.replace("Eve", "Mallory"),
    });
    assert.equal(tampered.status, 400);
    assert.match(await tampered.text(), /Content-Digest sha-512 does not match/);

    // A GET with no signature at all.
    const bare = await validatingFetch(`${server.baseUrl}/v1/customers`, { headers: { Authorization: `Bearer ${token}`, "X-Client-Id": org.clientId } });
    assert.equal(bare.status, 401);
    assert.match(await bare.text(), /requires signed requests/);
  });
});

describe("wallet", () => {
  it("creates a counterparty and a customer of it", async () => {
    const cp = await sdk.api.POST("/counterparty", { body: { name: "Zambezi Bank" } });
    assert.equal(cp.response.status, 200, JSON.stringify(cp.error));
    const counterparty_guid = cp.data!.counterparty_guid;
    const customer = await docs.api.POST("/counterparty/{counterparty_guid}/customers", {
      params: { path: { counterparty_guid } },
      body: {
        asset_code: "ZMWT",
        asset_issuer: "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
        login: "+260971234567",
        name: "Jane",
        surname: "Banda",
        segment: "PL",
        kyc_level: 1,
      },
    });
    assert.equal(customer.response.status, 200, JSON.stringify(customer.error));
    const customer_guid = customer.data!.customer_guid;
    const got = await sdk.api.GET("/counterparty/{counterparty_guid}/customers/{customer_guid}", {
      params: { path: { counterparty_guid, customer_guid } },
    });
    assert.equal(got.response.status, 200, JSON.stringify(got.error));
    assert.equal(got.data!.login, "+260971234567");
    const list = await sdk.api.GET("/counterparty/{counterparty_guid}/customers", {
      params: { path: { counterparty_guid }, query: { search_string: "banda" } },
    });
    assert.equal(list.response.status, 200, JSON.stringify(list.error));
    assert.equal(list.data!.total, 1);
  });
});

describe("banking", () => {
  it("takes an application to an approved customer", async () => {
    const app = await sdk.api.POST("/applications", {
      body: {
        type: "INDIVIDUAL",
        email: "john.doe@example.com",
        phone: "+1234567890",
        individual: {
          first_name: "John",
          last_name: "Doe",
          date_of_birth: "1990-01-15",
          address: { line1: "123 Main St", city: "New York", state: "NY", postal_code: "10001", country: "US" },
        },
      },
    });
    assert.equal(app.response.status, 201, JSON.stringify(app.error));
    const id = app.data!.id;
    const doc = await docs.api.POST("/applications/{id}/documents", {
      params: { path: { id } },
      body: { type: "PASSPORT", file_name: "passport.pdf", content_type: "application/pdf", content: "JVBERi0xLjcKJSBwYXNzcG9ydCBzY2FuCg==" },
    });
    assert.equal(doc.response.status, 201, JSON.stringify(doc.error));
    const submitted = await sdk.api.POST("/applications/{id}/submit", { params: { path: { id } } });
    assert.equal(submitted.response.status, 200, JSON.stringify(submitted.error));
    assert.equal(submitted.data!.status, "APPROVED");
    const customerId = submitted.data!.customer_id!;
    const customer = await docs.api.GET("/customers/{id}", { params: { path: { id: customerId } } });
    assert.equal(customer.response.status, 200, JSON.stringify(customer.error));
    assert.equal(customer.data!.status, "ACTIVE");
    assert.equal(customer.data!.accounts[0]!.currency, "USD");
  });
});
