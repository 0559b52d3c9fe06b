// make test-ui: a person's journey through Swagger UI at /docs, in Debian's
// headless Chromium, by clicking only (the body examples as the spec gives
// them; ids carried by the page). It builds nothing itself: OPENVEST_BIN is
// the binary `make test-ui` built. Each run starts it on a fresh SQLite file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startServe } from "./serve.mjs";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.OPENVEST_BIN || join(here, "../../bin/openvest");
const shots = join(here, "screenshots");
const work = mkdtempSync(join(tmpdir(), "openvest-ui-"));
const deadline = (ms) => ({ timeout: ms });

let server, base, sandbox, signer, context, page, allowedPage, blockedPage;
const requests = []; // every API request the docs page sent
const consoleErrors = []; // the page's errors, shown when a step fails

// A page served from another local port (another origin), to call the API cross-origin.
function originServer(port) {
  const s = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<!doctype html><title>explorer</title><p>another origin</p>");
  });
  return new Promise((resolve) => s.listen(port, "127.0.0.1", () => resolve(s)));
}

function env(extra) {
  return { ...process.env, OPENVEST_DATABASE_URL: "sqlite://" + join(work, "openvest.db"), OPENVEST_LOG_LEVEL: "warn", ...extra };
}

before(async () => {
  rmSync(shots, { recursive: true, force: true });
  const [apiPort, allowedPort, blockedPort] = [await freePort(), await freePort(), await freePort()];
  base = `http://127.0.0.1:${apiPort}`;
  const vars = env({ OPENVEST_ADDR: `127.0.0.1:${apiPort}`, OPENVEST_CORS_ORIGINS: `http://127.0.0.1:${allowedPort}` });

  ({ server, sandbox } = await startServe(bin, vars, base));

  // Then an organization that requires signatures, with a key the page will sign with
  // (after serve: the sandbox organization is made on a database without any).
  const org = JSON.parse(execFileSync(bin, ["org", "create", "--name", "Signing UI", "--signature-policy", "required"], { env: vars }).toString());
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  writeFileSync(join(work, "public.pem"), publicKey.export({ type: "spki", format: "pem" }));
  execFileSync(bin, ["org", "add-key", "--client-id", org.clientId, "--key-id", "ui-key", "--public-key", join(work, "public.pem")], { env: vars });
  signer = { ...org, keyId: "ui-key", pem: privateKey.export({ type: "pkcs8", format: "pem" }) };

  allowedPage = await originServer(allowedPort);
  blockedPage = await originServer(blockedPort);
  allowedPage.url = `http://127.0.0.1:${allowedPort}/`;
  blockedPage.url = `http://127.0.0.1:${blockedPort}/`;

  context = await chromium.launchPersistentContext(join(work, "chromium-profile"), {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(60000); // Swagger UI renders slowly on a loaded machine
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.origin === base && !u.pathname.startsWith("/docs") && !u.pathname.startsWith("/openapi")) {
      requests.push({ method: r.method(), path: u.pathname, headers: r.headers(), body: r.postData() || "" });
    }
  });
});

after(async () => {
  await context?.close();
  server?.kill("SIGTERM");
  allowedPage?.close();
  blockedPage?.close();
  rmSync(work, { recursive: true, force: true });
});

// step runs one part of the journey, with a screenshot when it fails.
async function step(t, name, fn) {
  const start = Date.now();
  try {
    await fn();
    t.diagnostic(`${name}: ${Date.now() - start} ms`);
  } catch (err) {
    mkdirSync(shots, { recursive: true });
    const file = join(shots, name.replace(/[^a-z0-9]+/gi, "-") + ".png");
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    err.message += `\n(screenshot: ${file})` + (consoleErrors.length ? "\npage errors:\n" + consoleErrors.join("\n") : "");
    throw err;
  }
}

// run expands an operation, clicks "Try it out" (and an example, when
// asked), then Execute, and returns the status and body the page shows.
async function run(operation, { example, status } = {}) {
  const op = page.locator(`[id$="-${operation}"].opblock`);
  await op.scrollIntoViewIfNeeded();
  if (!(await op.evaluate((el) => el.classList.contains("is-open")))) await op.locator(".opblock-summary").first().click();
  const tryOut = op.locator("button.try-out__btn");
  if ((await tryOut.textContent()).trim() === "Try it out") await tryOut.click();
  if (example) await op.locator(".opblock-section-request-body select.examples-select-element").selectOption(example);
  await op.locator("button.execute").click();
  const cell = op.locator(".live-responses-table .response .response-col_status");
  await cell.first().waitFor(deadline(60000));
  const code = Number((await cell.first().textContent()).trim());
  const body = (await op.locator(".live-responses-table .response .response-col_description pre.microlight, .live-responses-table .response .response-col_description pre").first().textContent()) || "";
  if (status !== undefined) assert.equal(code, status, `${operation} answered ${code}: ${body}`);
  // Clear the shown response (so that the next run waits for its own) and
  // fold the operation, as a person does.
  const clear = op.locator("button.btn-clear");
  if (await clear.count()) await clear.click();
  await op.locator(".opblock-summary").first().click();
  return { status: code, body: body.trim() ? JSON.parse(body) : null };
}

async function authorize(id, secret, key) {
  await page.locator(".auth-wrapper button.authorize").first().click();
  if (key) {
    await page.fill("#openvest-key-id", key.keyId);
    await page.fill("#openvest-private-key", key.pem);
    await page.click("#openvest-use-key");
    await page.locator("#openvest-key-status", { hasText: "signing as " + key.keyId }).waitFor();
  }
  await page.fill("#openvest-client-id", id);
  await page.fill("#openvest-client-secret", secret);
  await page.click("#openvest-get-token");
  await page.locator("#openvest-token-status", { hasText: "authorized as " + id }).waitFor();
  await page.locator(".modal-ux button.close-modal").first().click();
}

function last(method, path) {
  const r = requests.filter((x) => x.method === method && x.path === path);
  assert.ok(r.length > 0, `no ${method} ${path} was sent`);
  return r[r.length - 1];
}

test("a journey across the three surfaces in Swagger UI, by clicking", async (t) => {
  await step(t, "open docs", async () => {
    await page.goto(base + "/docs/");
    await page.locator(".auth-wrapper button.authorize").first().waitFor();
  });

  await step(t, "authorize", async () => {
    await authorize(sandbox.clientId, sandbox.clientSecret);
    assert.ok(await page.locator(".auth-wrapper button.authorize.locked").count(), "the Authorize button shows locked");
    const tok = last("POST", "/v1/oauth/token");
    assert.equal(tok.headers["content-digest"], "sha-512=:" + createHash("sha512").update(tok.body).digest("base64") + ":");
  });

  let customerId;
  await step(t, "create an investing customer", async () => {
    const res = await run("createCustomer", { status: 201 });
    customerId = res.body.data.customerId;
    assert.ok(customerId > 0);
    const sent = last("POST", "/v1/customers");
    assert.equal(sent.headers["content-digest"], "sha-512=:" + createHash("sha512").update(sent.body).digest("base64") + ":");
    assert.match(sent.headers["x-idempotency-key"], /^[0-9a-f-]{36}$/);
    assert.notEqual(sent.headers["x-idempotency-key"], "01937261-e216-754f-99ba-c1170d65dd28", "not the spec's example key");
    assert.equal(sent.headers["x-idempotency-id"], undefined, "the key's aliases are not sent with the example");
    assert.equal(sent.headers["x-client-id"], sandbox.clientId);
    assert.equal(sent.headers["signature"], undefined, "no placeholder signature");
    assert.equal(sent.headers["signature-input"], undefined);
  });

  await step(t, "a second create gets a fresh idempotency key", async () => {
    const first = last("POST", "/v1/customers").headers["x-idempotency-key"];
    const res = await run("createCustomer", { example: "withReference", status: 201 });
    assert.notEqual(res.body.data.customerId, customerId);
    assert.notEqual(last("POST", "/v1/customers").headers["x-idempotency-key"], first);
    customerId = res.body.data.customerId;
  });

  await step(t, "list customers", async () => {
    const res = await run("listCustomers", { status: 200 });
    assert.ok(res.body.data.some((c) => c.customerId === customerId), "the list shows the new customer");
  });

  await step(t, "get the customer (id carried by the page)", async () => {
    const res = await run("getCustomer", { status: 200 });
    assert.equal(res.body.data.customerId, customerId);
  });

  await step(t, "a portfolio for the customer (the body example's customerId resolved by the page)", async () => {
    const res = await run("createPortfolio", { status: 201 });
    assert.equal(res.body.data.customerId, customerId);
    assert.equal(JSON.parse(last("POST", "/v1/portfolio").body).customerId, customerId);
  });

  let counterparty;
  await step(t, "create a wallet counterparty", async () => {
    const res = await run("createWalletCounterparty", { status: 200 });
    counterparty = res.body.counterparty_guid;
    assert.ok(counterparty);
  });

  await step(t, "create a wallet customer of it", async () => {
    const res = await run("createWalletCustomer", { example: "minimal", status: 200 });
    assert.ok(res.body.customer_guid);
    assert.equal(last("POST", `/counterparty/${counterparty}/customers`).method, "POST");
  });

  let customer;
  await step(t, "a banking application, submitted and approved", async () => {
    const app = await run("createBankingApplication", { example: "individual", status: 201 });
    assert.match(app.body.id, /^app_/);
    const key = last("POST", "/applications").headers["x-l2f-idempotency-id"];
    assert.match(key, /^[0-9a-f-]{36}$/);
    assert.notEqual(key, "01937261-e216-754f-99ba-c1170d65dd28");
    const doc = await run("createBankingApplicationDocument", { example: "passport", status: 201 });
    assert.equal(doc.body.application_id, app.body.id);
    const sub = await run("submitBankingApplication", { status: 200 });
    assert.equal(sub.body.status, "APPROVED");
    customer = sub.body.customer_id;
    const got = await run("getBankingCustomer", { status: 200 });
    assert.equal(got.body.id, customer);
  });

  await step(t, "the authorization survives a reload", async () => {
    await page.reload();
    await page.locator(".auth-wrapper button.authorize.locked").first().waitFor();
    const res = await run("listCustomers", { status: 200 });
    assert.ok(res.body.data.length >= 2);
  });

  await step(t, "a page on an allowed origin calls the API; another origin is refused", async () => {
    const token = await page.evaluate(() => window.openvest.system.authSelectors.authorized().getIn(["BearerAuth", "value"]));
    assert.ok(token);
    const other = await context.newPage(); // the docs page stays as it is
    const call = async (url) => {
      await other.goto(url);
      return other.evaluate(async ({ base, token, clientId }) => {
        try {
          const res = await fetch(base + "/v1/customers", { headers: { Authorization: "Bearer " + token, "X-Client-Id": clientId } });
          return { status: res.status, requestId: res.headers.get("X-Request-Id") };
        } catch (e) {
          return { error: String(e) };
        }
      }, { base, token, clientId: sandbox.clientId });
    };
    const allowed = await call(allowedPage.url);
    assert.equal(allowed.status, 200, JSON.stringify(allowed));
    assert.ok(allowed.requestId, "X-Request-Id is exposed to the page");
    const blocked = await call(blockedPage.url);
    assert.ok(blocked.error, "a page on an origin not allowed cannot read the answer: " + JSON.stringify(blocked));
    await other.close();
  });

  await step(t, "an organization that requires signatures: the page signs", async () => {
    await authorize(signer.clientId, signer.clientSecret, signer);
    const res = await run("createCustomer", { status: 201 });
    assert.ok(res.body.data.customerId);
    const sent = last("POST", "/v1/customers");
    assert.match(sent.headers["signature-input"], /^sig1=\("@method" "@target-uri" "@path" "content-type" "content-digest" "content-length" "authorization" "x-client-id" "x-idempotency-key"\);created=\d+;expires=\d+;keyid="ui-key"$/);
    assert.match(sent.headers["signature"], /^sig1=:[A-Za-z0-9+/]+=*:$/);
  });
});
