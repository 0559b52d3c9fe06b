// What the browser tests share: a free port, and `openvest serve` started
// on it, with the sandbox organization's credentials it prints.
import { spawn } from "node:child_process";
import { createServer } from "node:http";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

// startServe runs `bin serve` with env, waits for the sandbox credentials
// it prints (20 s at most) and for base's /readyz (10 s at most), and
// returns the process and the credentials.
export async function startServe(bin, env, base) {
  const server = spawn(bin, ["serve"], { env, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const sandbox = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no sandbox credentials within 20s; output: " + out)), 20000);
    server.stdout.on("data", (d) => {
      out += d;
      const id = /clientId:\s+(\S+)/.exec(out);
      const secret = /clientSecret:\s+(\S+)/.exec(out);
      if (id && secret) {
        clearTimeout(timer);
        resolve({ clientId: id[1], clientSecret: secret[1] });
      }
    });
    server.on("exit", (code) => reject(new Error("openvest serve exited with " + code + ": " + out)));
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base + "/readyz")).ok) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { server, sandbox };
}
