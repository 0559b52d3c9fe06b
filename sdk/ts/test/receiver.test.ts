// The webhook receiver example type-checks against the generated types, and
// the check has teeth: a case naming an event the spec does not declare, or
// a switch that forgets one the spec declares, does not compile.
import { it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repo } from "./server.js";
import { describe as describeEvent, type WebhookEvent } from "../examples/receiver.js";

const run = promisify(execFile);
const sdk = join(repo, "sdk", "ts");

const bad = `import type { WebhookEvent } from "../examples/receiver.js";
export function unknownCase(e: WebhookEvent): string {
  switch (e.event) {
    case "CUSTOMER.EXPLODED":
      return "no such event";
    default:
      return e.event;
  }
}
export function missingCases(e: WebhookEvent): string {
  switch (e.event) {
    case "CUSTOMER.CREATED":
      return "created";
    default: {
      const rest: never = e;
      return String(rest);
    }
  }
}
`;

it("refuses a receiver that names an undeclared event or misses a declared one", { timeout: 120_000 }, async () => {
  const dir = join(sdk, ".typecheck");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bad-${process.pid}.ts`);
  writeFileSync(file, bad);
  try {
    const tsc = join(sdk, "node_modules", "typescript", "bin", "tsc");
    const args = [tsc, "--noEmit", "--strict", "--skipLibCheck", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--target", "ES2022", "--types", "node", file, join(sdk, "examples", "receiver.ts")];
    const err = await run(process.execPath, args, { cwd: sdk }).then(
      () => assert.fail("tsc compiled a receiver with a case for an undeclared event"),
      (e: { code?: number; stdout?: string }) => e,
    );
    const out = err.stdout ?? "";
    assert.equal(err.code, 2, out);
    const errors = out.split("\n").filter((l) => /error TS\d+/.test(l));
    // Both mistakes, in the bad file only: the example itself compiles.
    assert.ok(errors.every((l) => l.includes(`bad-${process.pid}.ts`)), out);
    assert.ok(errors.some((l) => l.includes("TS2678") && l.includes("CUSTOMER.EXPLODED")), out);
    assert.ok(errors.some((l) => l.includes("TS2322") && l.includes("never")), out);
  } finally {
    rmSync(file, { force: true });
  }
});

it("describes an event with its typed data", () => {
  const event = {
    eventId: "0193a1f2-7c1e-7a5b-9c1d-2e3f4a5b6c7d",
    event: "REQUEST.UPDATED",
    createdAt: 1732893484,
    data: { requestId: 42, requestType: "PURCHASE", status: "COMPLETED" },
  } as unknown as WebhookEvent;
  assert.equal(describeEvent(event), "request 42 (PURCHASE) is COMPLETED");
});
