// Starts the real openvest binary on a fresh SQLite file for the live tests.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { generateKeyPairSync, type KeyObject } from "node:crypto";

const run = promisify(execFile);
// The repository root: the nearest folder above this file with a go.mod.
function findRepo(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  while (!existsSync(join(dir, "go.mod"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no go.mod above ${here}`);
    dir = up;
  }
  return dir;
}
export const repo = findRepo();

export interface Server {
  baseUrl: string;
  bin: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
  /** Runs an openvest subcommand against the server's database and returns its stdout. */
  cli(...args: string[]): Promise<string>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (typeof addr === "object" && addr ? ok(addr.port) : fail(new Error("no port"))));
    });
  });
}

/** The binary: $OPENVEST_BIN (make test-sdk builds bin/openvest), else `go build` into a temporary folder. */
async function binary(dir: string): Promise<string> {
  if (process.env.OPENVEST_BIN) return resolve(repo, process.env.OPENVEST_BIN);
  const bin = join(dir, "openvest");
  await run("go", ["build", "-o", bin, "./cmd/openvest"], { cwd: repo });
  return bin;
}

export async function startServer(): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "openvest-sdk-"));
  const bin = await binary(dir);
  const port = await freePort();
  const env = {
    ...process.env,
    OPENVEST_ADDR: `127.0.0.1:${port}`,
    OPENVEST_DATABASE_URL: `sqlite://${join(dir, "openvest.db")}`,
    OPENVEST_LOG_LEVEL: "warn",
    OPENVEST_AUTH_CACHE_TTL: "0",
  };
  const cli = async (...args: string[]) => (await run(bin, args, { env })).stdout;
  await cli("migrate");
  const child: ChildProcess = spawn(bin, ["serve"], { env, stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`openvest serve exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error("openvest serve did not become ready within 30s");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    baseUrl,
    bin,
    env,
    cli,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Organization {
  clientId: string;
  clientSecret: string;
  keyId: string;
  privateKey: KeyObject;
}

/**
 * Creates a sandbox organization whose signature policy is `required`, and
 * registers an ed25519 key for it, through the CLI as the README describes.
 */
export async function signedOrganization(s: Server, name: string): Promise<Organization> {
  const org = JSON.parse(await s.cli("org", "create", "--name", name, "--sandbox", "--signature-policy", "required")) as {
    clientId: string;
    clientSecret: string;
    signaturePolicy: string;
  };
  if (org.signaturePolicy !== "required") throw new Error(`org create gave policy ${org.signaturePolicy}`);
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const dir = mkdtempSync(join(tmpdir(), "openvest-key-"));
  const file = join(dir, "public.pem");
  writeFileSync(file, publicKey.export({ type: "spki", format: "pem" }));
  const keyId = "sdk-test-key";
  await s.cli("org", "add-key", "--client-id", org.clientId, "--key-id", keyId, "--public-key", file);
  rmSync(dir, { recursive: true, force: true });
  return { clientId: org.clientId, clientSecret: org.clientSecret, keyId, privateKey };
}
