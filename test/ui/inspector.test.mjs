// make test-ui: the request inspector's page (/inspector) in Debian's
// headless Chromium. A client makes a few requests (one with a signature
// that does not verify); the page, signed in with the sandbox
// organization's credentials, lists them, shows the refused one with the
// signature base the server computed, and its live tail shows a request
// made after it opened. OPENVEST_BIN is the binary `make test-ui` built;
// the server runs on a fresh SQLite file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, startServe } from "./serve.mjs";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.OPENVEST_BIN || join(here, "../../bin/openvest");
const shots = join(here, "screenshots");
const work = mkdtempSync(join(tmpdir(), "openvest-inspector-ui-"));

let server, base, sandbox, context, page, token;
const consoleErrors = [];

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, OPENVEST_DATABASE_URL: "sqlite://" + join(work, "openvest.db"), OPENVEST_LOG_LEVEL: "warn", OPENVEST_ADDR: `127.0.0.1:${port}` };
  ({ server, sandbox } = await startServe(bin, env, base));
  const res = await fetch(base + "/v1/oauth/token", {
    method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ clientId: sandbox.clientId, clientSecret: sandbox.clientSecret }),
  });
  assert.equal(res.status, 201);
  token = (await res.json()).token;

  context = await chromium.launchPersistentContext(join(work, "chromium-profile"), {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(30000);
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
});

after(async () => {
  await context?.close();
  server?.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
});

async function step(t, name, fn) {
  const start = Date.now();
  try {
    await fn();
    t.diagnostic(`${name}: ${Date.now() - start} ms`);
  } catch (err) {
    mkdirSync(shots, { recursive: true });
    const file = join(shots, "inspector-" + name.replace(/[^a-z0-9]+/gi, "-") + ".png");
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    err.message += `\n(screenshot: ${file})` + (consoleErrors.length ? "\npage errors:\n" + consoleErrors.join("\n") : "");
    throw err;
  }
}

// call sends an API request as a client does (the sandbox organization
// verifies signatures only when present).
function call(method, path, { body, headers } = {}) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const h = { Authorization: "Bearer " + token, "X-Client-Id": sandbox.clientId, ...headers };
  if (data !== undefined) {
    h["Content-Type"] = "application/json";
    h["Content-Digest"] = "sha-512=:" + createHash("sha512").update(data).digest("base64") + ":";
  }
  if (method !== "GET") h["X-Idempotency-Key"] = crypto.randomUUID();
  return fetch(base + path, { method, headers: h, body: data });
}

test("the request inspector page lists, details and tails a client's requests", async (t) => {
  let refusedID;
  await step(t, "a client's requests", async () => {
    assert.equal((await call("GET", "/v1/customers?limit=3")).status, 200);
    assert.equal((await call("POST", "/v1/customers", { body: { firstName: "Ada", lastName: "Mwale" } })).status, 201);
    const covered = '("@method" "@target-uri" "@path" "content-type" "content-digest" "content-length" "authorization" "x-client-id" "x-idempotency-key")';
    const bad = await call("POST", "/v1/customers", {
      body: { firstName: "Bo", lastName: "Mwale" },
      headers: { "Signature-Input": `sig1=${covered};created=${Math.floor(Date.now() / 1000)};keyid="not-registered"`, Signature: "sig1=:AAAA:" },
    });
    assert.equal(bad.status, 401);
    refusedID = bad.headers.get("x-request-id");
  });

  await step(t, "sign in", async () => {
    await page.goto(base + "/inspector");
    await page.fill("#client-id", sandbox.clientId);
    await page.fill("#client-secret", sandbox.clientSecret);
    await page.click("#sign-in");
    await page.locator("#who", { hasText: "signed in as " + sandbox.clientId }).waitFor();
  });

  await step(t, "the list", async () => {
    // Records are written moments after their answers: filter again until the refusal shows.
    for (let i = 0; i < 50 && !(await page.locator("#rows tr td.status", { hasText: "401" }).count()); i++) {
      await page.click("#apply");
      await page.waitForTimeout(200);
    }
    const refused = page.locator("#rows tr", { has: page.locator("td.status", { hasText: "401" }) });
    await refused.first().waitFor();
    assert.match(await refused.first().textContent(), /POST.*\/v1\/customers.*401.*failed/s);
    assert.ok(await page.locator("#rows tr", { hasText: "/v1/customers?limit=3" }).count(), "the GET is listed with its query");
  });

  await step(t, "the detail of the refusal", async () => {
    await page.locator("#rows tr", { has: page.locator("td.status", { hasText: "401" }) }).first().click();
    await page.locator("#detail-signature", { hasText: "failed" }).waitFor();
    const sigBase = await page.locator("#signature-base").textContent();
    assert.match(sigBase, /"@method": POST/);
    assert.match(sigBase, /"@target-uri": http:\/\/127\.0\.0\.1:\d+\/v1\/customers/);
    assert.match(sigBase, /keyid="not-registered"/);
    const detail = await page.locator("#detail").textContent();
    assert.ok(detail.includes(refusedID), "the request id the client got");
    assert.match(detail, /Authorization: \[REDACTED\]/);
  });

  await step(t, "the live tail", async () => {
    await page.check("#live");
    await page.locator("#live[data-connected=true]").waitFor();
    assert.equal((await call("GET", "/v1/investments")).status, 200);
    await page.locator("#rows tr", { hasText: "/v1/investments" }).first().waitFor();
    assert.equal(await page.locator("#rows tr").first().locator("td.path").textContent(), "/v1/investments", "a new request comes on top");
  });
  assert.deepEqual(consoleErrors, []);
});
